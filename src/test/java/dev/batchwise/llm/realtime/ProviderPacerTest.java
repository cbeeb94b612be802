package dev.batchwise.llm.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * The pacer's arithmetic, on a clock the test moves. Not a @QuarkusTest: the pacer is plain logic. The
 * last tests run it against a model of a provider's token bucket (the simulator's rules: a bucket of one
 * second's worth, headers with limit, whole tokens remaining and when the bucket is full again) in
 * simulated time, with the service's concurrency of 10.
 */
class ProviderPacerTest {

    /** A clock that only moves when told to. */
    static final class ManualClock implements InstantSource {
        long nanos = ProviderPacer.nanos(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(0, nanos);
        }

        Instant plusMillis(double millis) {
            return Instant.ofEpochSecond(0, nanos + (long) (millis * 1e6));
        }

        void advanceMillis(double millis) {
            nanos += (long) (millis * 1e6);
        }
    }

    private final ManualClock clock = new ManualClock();

    @Test
    void withNothingKnownPermitsAreImmediate() {
        ProviderPacer pacer = new ProviderPacer(clock, 0, Duration.ofSeconds(30));
        for (int i = 0; i < 100; i++) {
            assertEquals(0, pacer.reserve().delayNanos(clock.nanos));
        }
    }

    @Test
    void configuredBudgetIsATokenBucketOfOneSecond() {
        ProviderPacer pacer = new ProviderPacer(clock, 10, Duration.ofSeconds(30));
        for (int i = 0; i < 10; i++) {
            assertEquals(0, pacer.reserve().delayNanos(clock.nanos), "the first second's worth goes at once");
        }
        assertEquals(100_000_000, pacer.reserve().delayNanos(clock.nanos));
        assertEquals(200_000_000, pacer.reserve().delayNanos(clock.nanos));
    }

    @Test
    void spendsTheReportedRemainingAndThenWaitsForTheReset() {
        ProviderPacer pacer = new ProviderPacer(clock, 0, Duration.ofSeconds(30));
        ProviderPacer.Permit first = pacer.sent(pacer.reserve());
        // a nearly full bucket bounds no rate: the 3 tokens left, less the headroom, may be spent; then the
        // pacer waits for the reset
        pacer.answered(first, new RateLimit(4L, 3L, clock.plusMillis(250)));
        for (int i = 0; i < 3 - ProviderPacer.HEADROOM; i++) {
            assertEquals(0, pacer.reserve().delayNanos(clock.nanos));
        }
        assertEquals(250_000_000, pacer.reserve().delayNanos(clock.nanos), "remaining 0: wait until resetAt");
    }

    @Test
    void learnsTheRateFromLimitRemainingAndReset() {
        ProviderPacer pacer = new ProviderPacer(clock, 0, Duration.ofSeconds(30));
        ProviderPacer.Permit permit = pacer.sent(pacer.reserve());
        // 50 per window; 0 left (at most 1 token), full in 990 ms: the window is at most 990 * 50 / 49 ms
        pacer.answered(permit, new RateLimit(50L, 0L, clock.plusMillis(990)));
        assertEquals(50 / (0.990 * 50 / 49), pacer.ratePerSecond(), 1e-6);
        assertTrue(pacer.ratePerSecond() <= 50, "never above the provider's rate");
        assertEquals(49, pacer.capacity(), "the provider's bucket less the headroom");
    }

    @Test
    void ourBudgetCapsWhatTheProviderAllows() {
        ProviderPacer pacer = new ProviderPacer(clock, 5, Duration.ofSeconds(30));
        pacer.answered(pacer.sent(pacer.reserve()), new RateLimit(50L, 0L, clock.plusMillis(1000)));
        assertEquals(5, pacer.ratePerSecond(), 1e-9);
        assertEquals(5, pacer.capacity());
    }

    @Test
    void answersWithoutLimitsForgetWhatWasLearned() {
        ProviderPacer pacer = new ProviderPacer(clock, 0, Duration.ofSeconds(30));
        pacer.answered(pacer.sent(pacer.reserve()), new RateLimit(20L, 0L, clock.plusMillis(1000)));
        assertTrue(pacer.ratePerSecond() > 0);
        pacer.answered(pacer.sent(pacer.reserve()), RateLimit.UNKNOWN);
        assertEquals(0, pacer.ratePerSecond());
        assertEquals(0, pacer.reserve().delayNanos(clock.nanos));
    }

    @Test
    void aRetryAfterHoldsEveryCallCappedByTheLongestWait() {
        ProviderPacer pacer = new ProviderPacer(clock, 0, Duration.ofMillis(1500));
        ProviderPacer.Permit permit = pacer.sent(pacer.reserve());
        pacer.rateLimited(permit, Duration.ofSeconds(1), RateLimit.UNKNOWN);
        assertTrue(pacer.held(clock.nanos));
        assertEquals(1_000_000_000, pacer.reserve().delayNanos(clock.nanos));
        pacer.rateLimited(pacer.sent(pacer.reserve()), Duration.ofSeconds(60), RateLimit.UNKNOWN);
        assertEquals(1_500_000_000, pacer.reserve().delayNanos(clock.nanos), "capped by max-backoff");
        clock.advanceMillis(1500);
        assertTrue(!pacer.held(clock.nanos));
    }

    @Test
    void runsCloseToTheProviderLimitWithoutBouncingOff429s() {
        // the benchmark's setting: 1,000 requests at concurrency 10 against 50 requests/s, quick answers
        Outcome outcome = simulate(50, 1000, 10, 2.0, 1000);
        double sustained = (outcome.requests - 50) / outcome.seconds; // what the refill allowed beyond the full bucket
        assertTrue(sustained >= 0.95 * 50, "sustained " + sustained + " requests/s of 50; " + outcome);
        assertTrue(outcome.lateRate >= 0.95 * 50, outcome.toString());
        assertEquals(0, outcome.rateLimited, outcome.toString());
    }

    @Test
    void learnsLowLimitsToo() {
        // concurrency above the limit: the first calls, sent before anything is known, meet 429s once
        Outcome outcome = simulate(5, 200, 10, 5.0, 1000);
        assertTrue(outcome.lateRate >= 0.95 * 5, outcome.toString());
        assertTrue(outcome.lateRate <= 5.0 * 1.01, outcome.toString());
        assertTrue(outcome.rateLimited <= 10, outcome.toString());
    }

    @Test
    void slowAnswersAndAMinuteWindow() {
        // real providers: limits per minute, answers that take seconds
        // the window is learnt more slowly (sent-to-counted time inflates the first bounds), never too fast
        Outcome outcome = simulateWindow(120, 60_000, 1200, 10, 3000.0, 1000, 0);
        double perMinute = outcome.lateRate * 60;
        assertTrue(perMinute >= 0.95 * 120, perMinute + " requests/min of 120; " + outcome);
        assertEquals(0, outcome.rateLimited, outcome.toString());
    }

    /** {@code lateRate}: requests per second over the second half of the run, when learning is over. */
    @Test
    void sharesTheLimitWithAnotherClient() {
        // another instance spends 20 of the 50 per second: the answers' remaining pulls our bucket down, so
        // 429s stay rare (each holds every call for its retry-after) and we use what the other leaves
        Outcome outcome = simulateWindow(50, 1000, 1000, 10, 2.0, 1000, 20);
        assertTrue(outcome.lateRate >= 0.9 * 30, outcome.toString());
        assertTrue(outcome.rateLimited <= 0.05 * 1000, outcome.toString());
    }

    /** {@code lateRate}: requests per second over the second half of the run, when learning is over. */
    record Outcome(int requests, double seconds, int rateLimited, double lateRate) {
    }

    private Outcome simulate(int perSecond, int requests, int concurrency, double latencyMs, long retryAfterMs) {
        return simulateWindow(perSecond, 1000, requests, concurrency, latencyMs, retryAfterMs, 0);
    }

    /**
     * Event-driven run in simulated time: {@code concurrency} workers take requests from a queue, wait for a
     * permit and send; each request reaches the provider after a random part of its latency (so requests sent
     * together are counted in any order) and is answered after the whole of it, which varies by +-50%.
     */
    private Outcome simulateWindow(int limit, long windowMs, int requests, int concurrency, double latencyMs,
                                   long retryAfterMs, double othersPerWindow) {
        java.util.Random random = new java.util.Random(7);
        ProviderPacer pacer = new ProviderPacer(clock, 0, Duration.ofSeconds(30));
        ProviderBucket provider = new ProviderBucket(limit, windowMs * 1_000_000L, clock.nanos, othersPerWindow);
        enum Kind { SEND, ARRIVE, ANSWER }
        record Event(long at, Kind kind, ProviderPacer.Permit permit, long answerAt, RateLimit rateLimit,
                     boolean admitted) {
        }
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
        long start = clock.nanos;
        int left = requests;
        int limited = 0;
        List<Long> finished = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            left--;
            ProviderPacer.Permit p = pacer.reserve();
            events.add(new Event(p.at(), Kind.SEND, p, 0, null, false));
        }
        while (!events.isEmpty()) {
            Event e = events.poll();
            clock.nanos = Math.max(clock.nanos, e.at);
            switch (e.kind) {
                case SEND -> {
                    if (pacer.held(clock.nanos)) {
                        pacer.released(e.permit);
                        ProviderPacer.Permit p = pacer.reserve();
                        events.add(new Event(p.at(), Kind.SEND, p, 0, null, false));
                        continue;
                    }
                    ProviderPacer.Permit sent = pacer.sent(e.permit);
                    double latency = latencyMs * (0.5 + random.nextDouble()) * 1e6;
                    long arrives = clock.nanos + (long) (latency * random.nextDouble() * 0.5);
                    events.add(new Event(arrives, Kind.ARRIVE, sent, clock.nanos + (long) latency, null, false));
                }
                case ARRIVE -> {
                    ProviderBucket.Answer answer = provider.admit(clock.nanos);
                    events.add(new Event(Math.max(e.answerAt, clock.nanos), Kind.ANSWER, e.permit, 0,
                            new RateLimit((long) limit, answer.remaining(), Instant.ofEpochSecond(0, answer.resetAt())),
                            answer.admitted()));
                }
                case ANSWER -> {
                    boolean next;
                    if (e.admitted) {
                        pacer.answered(e.permit, e.rateLimit);
                        finished.add(clock.nanos);
                        next = left-- > 0;
                    } else {
                        limited++;
                        pacer.rateLimited(e.permit, Duration.ofMillis(retryAfterMs), e.rateLimit);
                        next = true; // the same request again, after its retry-after
                    }
                    if (next) {
                        ProviderPacer.Permit p = pacer.reserve();
                        events.add(new Event(p.at(), Kind.SEND, p, 0, null, false));
                    }
                }
            }
        }
        long middle = finished.get(finished.size() / 2);
        double lateRate = (finished.size() - 1 - finished.size() / 2) / ((clock.nanos - middle) / 1e9);
        Outcome outcome = new Outcome(finished.size(), (clock.nanos - start) / 1e9, limited, lateRate);
        return outcome;
    }

    /** A provider's request bucket with the simulator's rules (RealtimeGate), in simulated nanoseconds. */
    static final class ProviderBucket {
        record Answer(boolean admitted, long remaining, long resetAt) {
        }

        private final double limit;
        private final double perNano;
        private final double othersPerNano;
        private double tokens;
        private long last;

        /** @param othersPerWindow what other clients of the same limit spend, evenly */
        ProviderBucket(int limit, long windowNanos, long now, double othersPerWindow) {
            this.limit = limit;
            this.perNano = limit / (double) windowNanos;
            this.othersPerNano = othersPerWindow / windowNanos;
            this.tokens = limit;
            this.last = now;
        }

        Answer admit(long now) {
            if (now > last) {
                tokens = Math.max(0, Math.min(limit, tokens + (now - last) * (perNano - othersPerNano)));
                last = now;
            }
            if (tokens < 1) {
                return new Answer(false, 0, now + (long) Math.ceil((1 - tokens) / perNano));
            }
            tokens -= 1;
            long fullInMs = (long) Math.ceil((limit - tokens) / perNano / 1e6);
            return new Answer(true, (long) Math.floor(tokens), now + fullInMs * 1_000_000L);
        }
    }
}
