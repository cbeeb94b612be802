/**
 * Reconciliation runs and their atoms. Owns tables {@code reconciliation_runs} and {@code atoms}; consumes
 * {@code atoms.inferred} ({@link dev.batchwise.reconciliation.VerifyNode}: intake and mode choice) and
 * {@code batch.completed} (RunTracker); runs small runs in real time (RealtimeRuns); serves {@code /api/runs}.
 * Its atoms are the batch path's work ({@code AtomWorkload}).
 */
package dev.batchwise.reconciliation;
