/**
 * The prompts of both stages and the reading of their answers, with recovery of fenced, prose-wrapped and slightly
 * malformed JSON: quality scores ({@link dev.batchwise.scoring.AtomQualityService}) and atoms inferred from tests
 * ({@link dev.batchwise.scoring.AtomInferenceService}). Pure functions, tested without Quarkus.
 */
package dev.batchwise.scoring;
