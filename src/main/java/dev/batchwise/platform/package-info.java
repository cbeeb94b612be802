/** Plumbing shared by the features that is neither Kafka nor the database: periodic rounds. */
package dev.batchwise.platform;
