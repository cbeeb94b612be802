package dev.batchwise.simulator;

import java.time.Instant;

/**
 * Admission of real-time calls for one provider: a token bucket of {@code requestsPerSecond} (capacity one
 * second's worth) and a cap on concurrent calls. The numbers it reports feed the rate-limit headers.
 */
final class RealtimeGate {

    /** The outcome of one admission; {@code admitted == false} means answer 429. */
    record Admission(boolean admitted, double limit, long remaining, long resetMillis) {
    }

    private double tokens = -1;
    private long lastRefillNanos = System.nanoTime();
    private int inFlight;

    synchronized Admission admit(double requestsPerSecond, int maxConcurrent) {
        if (maxConcurrent > 0 && inFlight >= maxConcurrent) {
            return new Admission(false, requestsPerSecond, 0, 1);
        }
        if (requestsPerSecond <= 0) {
            inFlight++;
            return new Admission(true, 0, Long.MAX_VALUE, 0);
        }
        long now = System.nanoTime();
        if (tokens < 0 || tokens > requestsPerSecond) {
            tokens = requestsPerSecond; // first use, or the limit was lowered
        } else {
            tokens = Math.min(requestsPerSecond, tokens + (now - lastRefillNanos) / 1e9 * requestsPerSecond);
        }
        lastRefillNanos = now;
        if (tokens < 1) {
            long waitMillis = (long) Math.ceil((1 - tokens) / requestsPerSecond * 1000);
            return new Admission(false, requestsPerSecond, 0, waitMillis);
        }
        tokens -= 1;
        inFlight++;
        long fullInMillis = (long) Math.ceil((requestsPerSecond - tokens) / requestsPerSecond * 1000);
        return new Admission(true, requestsPerSecond, (long) Math.floor(tokens), fullInMillis);
    }

    synchronized void release() {
        inFlight--;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    static Instant resetAt(long resetMillis) {
        return Instant.now().plusMillis(resetMillis);
    }
}
