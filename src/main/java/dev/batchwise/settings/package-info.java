/**
 * Runtime settings: the batch path's five seed settings as the environment gives them ({@link
 * dev.batchwise.settings.BatchEnvironment}) and as the row {@code default} of {@code llm_configurations} overrides
 * them, read per use so that a change needs no restart. Owns that table and serves {@code /api/config}. Imported by
 * {@code batch} and {@code reconciliation}; imports neither.
 */
package dev.batchwise.settings;
