/** The quality prompt and the reading of its answers: pure functions, tested without Quarkus. */
package dev.batchwise.scoring;
