package dev.batchwise.platform;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UUIDs of version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 bits that make them unique. Ids made one
 * after another sort (nearly) in that order, so a table keyed by them takes new rows at the right edge of its
 * primary key's index instead of at random pages all over it: a COPY of a run's part into {@code atoms} spent a
 * fifth of its time on random UUIDs' index pages (52 -> 41 ms for 3,800 rows in psql).
 * <p>
 * The 74 bits are RFC 9562's "monotonic random" (section 6.2, method 2): 12 random bits drawn once per process,
 * then a 62-bit counter that starts at a random value and goes up by one per id. No id repeats within a process
 * (2^62 ids), and two processes collide only if their counters' ranges meet in the same millisecond with the same
 * 12 bits. Two SecureRandom draws per id were a sixth of the intake's Java samples in a profile (its lock, its
 * reads of the kernel's pool, its mixing); these ids are keys, never secrets.
 */
public final class TimeOrderedIds {

    private static final SecureRandom SEED = new SecureRandom();
    private static final long PROCESS_BITS = SEED.nextLong();
    private static final AtomicLong COUNTER = new AtomicLong(SEED.nextLong());

    private TimeOrderedIds() {
    }

    public static UUID next() {
        return of(System.currentTimeMillis(), PROCESS_BITS, COUNTER.getAndIncrement());
    }

    /** The id of {@code millis} with the given bits (12 of {@code randA}, 62 of {@code randB} are used). */
    static UUID of(long millis, long randA, long randB) {
        long high = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (randA & 0x0FFFL);
        long low = (randB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
