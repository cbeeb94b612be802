package dev.batchwise.llm.realtime;

import dev.batchwise.llm.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.TreeMap;

/**
 * Paces one provider's real-time calls so that they run close to its request limit instead of bouncing off
 * 429s: a token bucket that mirrors the provider's, learned from the rate-limit headers of each answer and
 * 429 ({@link RateLimit}: limit, remaining whole tokens, resetAt = when the provider's bucket is full again),
 * within our own {@code llm.realtime.requests-per-second} when that is set.
 *
 * <ul>
 *   <li>Size: the provider's {@code limit}, less {@link #HEADROOM} token kept for timing jitter.</li>
 *   <li>Rate: the provider refills {@code limit} tokens per window, and an answer says that the tokens it was
 *   missing ({@code limit - remaining}, give or take one, since {@code remaining} counts whole tokens) are
 *   back by {@code resetAt}. So {@code (resetAt - sentAt) * limit / (limit - remaining - 1)} is an upper bound
 *   of the window (measured from when we sent, which is before the provider counted); the pacer keeps the
 *   smallest bound seen, a rate never above the provider's. This works for any window (the simulator's
 *   one second, a minute at Anthropic and OpenAI) without being told which.</li>
 *   <li>Level: {@code resetAt} only moves forward, by one refill per admitted request, so the answer with the
 *   latest {@code resetAt} is the latest admission we know of. What the provider has now is then its
 *   {@code remaining} (plus half a token, the expected fraction), plus its refill since it counted that
 *   call, less our calls sent after that one and those still waiting; our bucket is set to that, less the
 *   headroom. So
 *   tokens spent by someone else on the same key (another instance) are seen at the next answer, and a
 *   careful estimate costs nothing either.</li>
 *   <li>Until a rate is known (the first answers from a nearly full bucket bound nothing) the pacer spends the
 *   reported {@code remaining}, and when that is gone it waits until {@code resetAt}, when the bucket is full.</li>
 *   <li>A 429 with retry-after holds every call to this provider until then (capped by
 *   {@code llm.realtime.max-backoff-ms}): the provider asked us to wait, and whatever it counts that we do
 *   not (tokens per minute, say) would answer the others the same way.</li>
 * </ul>
 *
 * Every reserved permit ends in exactly one of {@link #answered}, {@link #rateLimited} or {@link #released}.
 * Thread-safe; every method is short and never blocks. Times are epoch nanoseconds from the clock.
 */
final class ProviderPacer {

    /** Tokens of the provider's bucket we leave unused, so that calls counted out of order meet no empty one. */
    static final int HEADROOM = 1;

    /** Permission to send one request at {@code at}; once {@link #sent}, {@code at} is when it was sent. */
    record Permit(long at, boolean sent) {

        /** Nanoseconds from {@code now} until this permit may be used. */
        long delayNanos(long now) {
            return Math.max(0, at - now);
        }
    }

    private final InstantSource clock;
    private final double configuredPerSecond;
    private final long maxHoldNanos;

    /** The provider's bucket size from its headers; 0 while unknown. */
    private long limit;
    /** Smallest upper bound seen of the time the provider takes to refill {@code limit} tokens; infinite while unknown. */
    private double windowNanos = Double.POSITIVE_INFINITY;
    /** The latest time at which the provider said its bucket is full again; 0 while unknown. */
    private long fullAt;

    /** Our bucket: {@code tokens} as of {@code asOf} (which is in the future while we wait for a reset). */
    private double tokens;
    private long asOf;
    /** No permit before this (a 429's retry-after). */
    private long notBefore;
    /** Permits reserved and not yet ended; the send times of those sent (time -> count). */
    private long outstanding;
    private final TreeMap<Long, Integer> inFlight = new TreeMap<>();
    private long inFlightCount;

    /**
     * @param configuredPerSecond our own budget ({@code llm.realtime.requests-per-second}); 0 = none
     * @param maxHold             longest retry-after honoured ({@code llm.realtime.max-backoff-ms})
     */
    ProviderPacer(InstantSource clock, double configuredPerSecond, Duration maxHold) {
        this.clock = clock;
        this.configuredPerSecond = configuredPerSecond;
        this.maxHoldNanos = maxHold.toNanos();
        this.asOf = now();
        this.tokens = capacity();
    }

    long now() {
        return nanos(clock.instant());
    }

    /** Reserves the next permit; the caller sends when {@link Permit#at()} has come. */
    synchronized Permit reserve() {
        long at = Math.max(Math.max(now(), notBefore), asOf);
        advance(at);
        outstanding++;
        double capacity = capacity();
        if (Double.isInfinite(capacity)) {
            return new Permit(at, false); // nothing known: only retry-after holds calls back
        }
        double rate = ratePerNano();
        if (tokens >= 1 || rate > 0) {
            tokens -= 1;
            // with a rate, a negative balance is a queue: the k-th permit in debt waits k refills
            return new Permit(tokens >= 0 ? at : at + (long) Math.ceil(-tokens / rate), false);
        }
        // no rate known yet and the reported remaining is spent: the bucket is full again at fullAt
        asOf = Math.max(at, fullAt);
        tokens = capacity - 1;
        return new Permit(asOf, false);
    }

    /** True while a retry-after holds calls back; a permit reserved before it came must wait again. */
    synchronized boolean held(long now) {
        return now < notBefore;
    }

    /** The request of {@code permit} goes out now. */
    synchronized Permit sent(Permit permit) {
        long now = now();
        inFlight.merge(now, 1, Integer::sum);
        inFlightCount++;
        return new Permit(now, true);
    }

    /** A permit that ended without the provider's rate-limit word: another failure, a cancellation, unused. */
    synchronized void released(Permit permit) {
        end(permit);
    }

    /** What the provider reported with a successful answer to the request sent under {@code permit}. */
    synchronized void answered(Permit permit, RateLimit rateLimit) {
        end(permit);
        if (rateLimit == null || rateLimit.limit() == null || rateLimit.limit() <= 0) {
            // an answer without limits: nothing to pace by but our own budget (a 429 still holds us back)
            limit = 0;
            windowNanos = Double.POSITIVE_INFINITY;
            fullAt = 0;
            tokens = Double.isInfinite(capacity()) ? Double.POSITIVE_INFINITY : Math.min(tokens, capacity());
            return;
        }
        boolean first = limit == 0;
        limit = rateLimit.limit();
        Long remaining = rateLimit.remaining();
        boolean latest = true;
        if (rateLimit.resetAt() != null) {
            long resetAt = nanos(rateLimit.resetAt());
            latest = resetAt >= fullAt;
            fullAt = Math.max(fullAt, resetAt);
            if (remaining != null) {
                long missingAtLeast = limit - remaining - 1;
                long sinceSent = resetAt - permit.at();
                if (missingAtLeast >= 1 && sinceSent > 0) {
                    windowNanos = Math.min(windowNanos, (double) sinceSent * limit / missingAtLeast);
                }
            }
        }
        if (remaining != null && (latest || first)) {
            level(permit, remaining + 0.5, first);
        } else {
            tokens = Math.min(tokens, capacity());
        }
    }

    /** A 429 to the request sent under {@code permit}: hold calls for its retry-after; the bucket was empty. */
    synchronized void rateLimited(Permit permit, Duration retryAfter, RateLimit rateLimit) {
        end(permit);
        if (retryAfter != null && retryAfter.toNanos() > 0) {
            notBefore = Math.max(notBefore, now() + Math.min(retryAfter.toNanos(), maxHoldNanos));
        }
        // a 429's reset is not used: providers differ on whether it is the next token or a full bucket
        boolean first = limit == 0;
        if (rateLimit != null && rateLimit.limit() != null && rateLimit.limit() > 0) {
            limit = rateLimit.limit();
        }
        if (limit > 0) {
            level(permit, 0.5, first);
        }
    }

    /** The rate this pacer sends at, in requests per second; 0 when it has none (budget or unlimited). */
    synchronized double ratePerSecond() {
        return ratePerNano() * 1e9;
    }

    /** Our bucket's size; infinite when nothing limits us. */
    synchronized double capacity() {
        if (limit > 0) {
            double learned = Math.max(1, limit - HEADROOM);
            return configuredPerSecond > 0 ? Math.min(learned, Math.max(1, Math.floor(configuredPerSecond))) : learned;
        }
        return configuredPerSecond > 0 ? Math.max(1, Math.floor(configuredPerSecond)) : Double.POSITIVE_INFINITY;
    }

    /** Our pacing rate: the provider's refill within our own budget; 0 when neither is known. */
    private double ratePerNano() {
        double provider = providerRatePerNano();
        double configured = configuredPerSecond > 0 ? configuredPerSecond / 1e9 : 0;
        if (provider > 0 && configured > 0) {
            return Math.min(provider, configured);
        }
        return Math.max(provider, configured);
    }

    /** How fast the provider refills its bucket, as far as its answers bound it; 0 while unknown. */
    private double providerRatePerNano() {
        return limit > 0 && !Double.isInfinite(windowNanos) ? limit / windowNanos : 0;
    }

    private void end(Permit permit) {
        outstanding = Math.max(0, outstanding - 1);
        if (permit.sent()) {
            inFlight.computeIfPresent(permit.at(), (at, n) -> n > 1 ? n - 1 : null);
            inFlightCount = Math.max(0, inFlightCount - 1);
        }
    }

    /**
     * Sets our bucket to what the provider has now, given that it had {@code had} tokens (whole ones plus the
     * expected fraction) when it counted the request of {@code permit}: plus its refill since, less our calls
     * sent after it and those not sent yet (all of them when this is the {@code first} word on a limit: the
     * calls sent before it were not counted against our bucket).
     */
    private void level(Permit permit, double had, boolean first) {
        long now = now();
        if (asOf > now) {
            return; // our bucket is already set for a later window
        }
        advance(now);
        long waiting = Math.max(0, outstanding - inFlightCount);
        long sentAfter = first ? inFlightCount
                : inFlight.tailMap(permit.at(), false).values().stream().mapToLong(Integer::longValue).sum();
        // the provider counted the request between our send and its answer: limiters count on arrival, so
        // the middle is on the safe side
        double refilled = Math.max(0, now - permit.at()) / 2.0 * providerRatePerNano();
        double providerHas = Math.min(limit, had + refilled) - sentAfter - waiting;
        tokens = Math.min(capacity(), providerHas - HEADROOM);
    }

    /** Refills our bucket up to {@code to} (never past its size). */
    private void advance(long to) {
        if (to > asOf) {
            tokens += (to - asOf) * ratePerNano();
            asOf = to;
        }
        tokens = Math.min(tokens, capacity());
    }

    static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
