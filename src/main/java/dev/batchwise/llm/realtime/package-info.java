/**
 * The real-time path: {@link dev.batchwise.llm.realtime.RealtimeLlmService} sends LLM requests one by one
 * through the provider adapters ({@link dev.batchwise.llm.ProviderAdapter#complete}), at most
 * {@code llm.realtime.concurrency} at a time per {@code completeAll}, with exactly one result per request.
 *
 * <ul>
 *   <li>Pacing ({@code ProviderPacer}): a token bucket per provider learned from the rate-limit headers
 *   (and {@code llm.realtime.requests-per-second}), so that calls run at the provider's limit instead of
 *   bouncing off 429s.</li>
 *   <li>Retries ({@code RetryPolicy}): 429, 5xx, 529 and timeouts only, up to {@code llm.realtime.max-attempts};
 *   retry-after when given, else exponential back-off with full jitter.</li>
 *   <li>Circuit breaker ({@link dev.batchwise.llm.realtime.ProviderBreakers}, {@code llm.realtime.circuit-breaker.*}):
 *   one per provider around each request and its retries; while open, requests fail as OVERLOADED unsent.</li>
 *   <li>Readiness check "LLM providers (real time)": always UP, with each breaker's state and {@code degraded}.</li>
 * </ul>
 *
 * Owns no tables, topics or endpoints.
 */
package dev.batchwise.llm.realtime;
