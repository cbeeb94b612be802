package dev.batchwise.platform;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Work done every interval, without overlap: a round still running when the next is due skips it. (Quarkus'
 * simple scheduler does not go below one second; the batch path's tests poll every few hundred milliseconds.)
 */
public final class Periodic {

    private Periodic() {
    }

    /** Starts {@code round} every {@code interval}; a zero interval starts nothing. The returned handle stops it. */
    public static Cancellable every(String name, Duration interval, Supplier<Uni<Void>> round) {
        if (interval.isZero() || interval.isNegative()) {
            Log.debugf("%s: off", name);
            return () -> { };
        }
        AtomicBoolean running = new AtomicBoolean();
        return Multi.createFrom().ticks().every(interval).onOverflow().drop()
                .subscribe().with(tick -> {
                    if (!running.compareAndSet(false, true)) {
                        return;
                    }
                    Uni.createFrom().deferred(round::get)
                            .onFailure().invoke(failure -> Log.warnf("%s: round failed: %s", name, failure.toString()))
                            .onFailure().recoverWithNull()
                            .onTermination().invoke(() -> running.set(false))
                            .subscribe().with(ignored -> { });
                });
    }
}
