package dev.batchwise.platform;

import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.List;

/**
 * Results grouped for writing: a chunk when {@code size} have come, or when {@code window} has passed with fewer.
 * Mutiny's time-bounded grouping emits when its timer fires whether or not the consumer asked for more, and fails
 * with a {@code BackPressureFailure} when it did not (the consumer is still writing the previous chunk). The
 * chunks are therefore queued here until the consumer takes them; they hold results already received, so the
 * queue is no larger than what the caller has in memory anyway.
 */
public final class Chunks {

    private Chunks() {
    }

    public static <T> Multi<List<T>> bySizeOrTime(Multi<T> items, int size, Duration window) {
        return items.group().intoLists().of(size, window).onOverflow().bufferUnconditionally();
    }
}
