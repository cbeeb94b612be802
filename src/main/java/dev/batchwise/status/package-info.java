/**
 * Run status events: published on {@code reconciliation.status}, read by every instance's
 * {@link dev.batchwise.status.StatusBridge} and pushed to browsers on the WebSocket
 * {@code /runs/{runId}/status}.
 */
package dev.batchwise.status;
