package dev.batchwise.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

    @Test
    void anIdIsVersionSevenWithItsMillisecondsFirst() {
        long millis = 0x0192_3456_789AL;
        UUID id = TimeOrderedIds.of(millis, -1L, -1L);
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(millis, id.getMostSignificantBits() >>> 16);
        assertTrue(id.toString().startsWith("01923456-789a-7fff-bfff-"), id.toString());
    }

    @Test
    void laterIdsSortAfterEarlierOnesAsPostgresqlComparesThem() {
        long now = System.currentTimeMillis();
        // PostgreSQL compares uuids byte by byte, unsigned: the high 64 bits first
        UUID earlier = TimeOrderedIds.of(now, -1L, -1L);
        UUID later = TimeOrderedIds.of(now + 1, 0L, 0L);
        assertTrue(Long.compareUnsigned(earlier.getMostSignificantBits(), later.getMostSignificantBits()) < 0);
    }

    @Test
    void idsOfTheSameMillisecondDiffer() {
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(TimeOrderedIds.next());
        }
        assertEquals(100_000, ids.size());
        assertNotEquals(TimeOrderedIds.next(), TimeOrderedIds.next());
    }

    @Test
    void idsOfOneProcessShareTheirTwelveBitsAndCountUpInTheRest() {
        UUID first = TimeOrderedIds.next();
        UUID second = TimeOrderedIds.next();
        assertEquals(first.getMostSignificantBits() & 0x0FFFL, second.getMostSignificantBits() & 0x0FFFL);
        long mask = 0x3FFF_FFFF_FFFF_FFFFL;
        // one up, unless another thread of this JVM took ids in between; it wraps within its 62 bits, never into the
        // variant
        long step = (second.getLeastSignificantBits() - first.getLeastSignificantBits()) & mask;
        assertTrue(step >= 1 && step < 1_000_000, "counted up by " + step);
        assertEquals(2, second.variant());
    }

    @Test
    void idsMadeByManyThreadsAtOnceDiffer() throws Exception {
        Set<UUID> ids = ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 50_000; i++) {
                    ids.add(TimeOrderedIds.next());
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(200_000, ids.size());
    }
}
