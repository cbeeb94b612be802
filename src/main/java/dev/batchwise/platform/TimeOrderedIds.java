package dev.batchwise.platform;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * UUIDs of version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made one after another sort
 * (nearly) in that order, so a table keyed by them takes new rows at the right edge of its primary key's index
 * instead of at random pages all over it: a COPY of a run's part into {@code atoms} spent a fifth of its time on
 * random UUIDs' index pages (52 -> 41 ms for 3,800 rows in psql). Unique as version 4 ids are: 74 random bits per
 * millisecond.
 */
public final class TimeOrderedIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {
    }

    public static UUID next() {
        return of(System.currentTimeMillis(), RANDOM.nextLong(), RANDOM.nextLong());
    }

    /** The id of {@code millis} with the given random bits (12 of {@code randA}, 62 of {@code randB} are used). */
    static UUID of(long millis, long randA, long randB) {
        long high = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (randA & 0x0FFFL);
        long low = (randB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
