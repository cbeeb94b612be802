/** Plumbing shared by the features that is neither Kafka nor the database: periodic rounds, result chunks. */
package dev.batchwise.platform;
