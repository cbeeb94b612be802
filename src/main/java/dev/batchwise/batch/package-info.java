/**
 * The durable batch lifecycle. Owns tables {@code batch_jobs} and {@code batch_items}; consumes
 * {@code verify.requested} ({@link dev.batchwise.batch.BatchSubmitter}) and announces {@code batch.completed}.
 * Prepare ({@link dev.batchwise.batch.BatchPreparer}), submit, poll ({@code BatchPoller}: claims due jobs with
 * FOR UPDATE SKIP LOCKED), collect, retry items in real time, recover after a crash. What an item stands for is
 * the {@link dev.batchwise.batch.BatchWorkload} port's business.
 */
package dev.batchwise.batch;
