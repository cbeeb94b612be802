/**
 * Kafka plumbing shared by the features: topic names, topic creation at start-up, and reading record
 * values as validated JSON events (a bad record becomes an exception that names the problem, and its
 * channel's dead-letter-queue strategy moves it to {@code <topic>.dlq}).
 */
package dev.batchwise.messaging;
