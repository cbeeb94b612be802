package dev.batchwise.simulator;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** Ids with the providers' prefixes, and Anthropic's timestamp format. */
final class SimulatorIds {

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final DateTimeFormatter RFC3339_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private SimulatorIds() {
    }

    static String next(String prefix) {
        char[] id = new char[24];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < id.length; i++) {
            id[i] = BASE62[random.nextInt(BASE62.length)];
        }
        return prefix + new String(id);
    }

    /** Anthropic: RFC 3339 with microseconds and a Z, e.g. 2024-08-20T18:37:24.100435Z. */
    static String rfc3339(Instant instant) {
        return instant == null ? null : RFC3339_MICROS.format(instant);
    }
}
