/**
 * Prices, usage, savings: the price table ({@code cost.*}), the arithmetic, {@code GET /api/runs/{runId}/cost} and
 * {@code GET /api/cost}, and the answer metrics. Reads {@code atoms.answer_mode}, {@code atoms.model} and their tokens;
 * imports database and llm only (reconciliation calls {@link dev.batchwise.cost.CostMetrics}, never the reverse).
 */
package dev.batchwise.cost;
