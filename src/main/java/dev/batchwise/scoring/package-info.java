/**
 * The quality prompt and the reading of its answers, with recovery of fenced, prose-wrapped and slightly malformed
 * JSON ({@link dev.batchwise.scoring.AtomQualityService}): pure functions, tested without Quarkus.
 */
package dev.batchwise.scoring;
