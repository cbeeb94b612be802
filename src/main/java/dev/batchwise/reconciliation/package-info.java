/**
 * Reconciliation runs and their atoms. Owns tables {@code reconciliation_runs} and {@code atoms};
 * consumes {@code atoms.inferred} ({@link dev.batchwise.reconciliation.VerifyNode}); serves
 * {@code GET /runs/{runId}}.
 */
package dev.batchwise.reconciliation;
