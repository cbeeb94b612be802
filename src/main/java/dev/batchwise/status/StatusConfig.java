package dev.batchwise.status;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/** How status events reach WebSocket clients. */
@ConfigMapping(prefix = "batchwise.status")
public interface StatusConfig {

    /**
     * Runs whose latest event may wait for one slow client; past that its oldest waiting progress is dropped (a
     * final state never is: a client with that many final states waiting is closed, and reconnects to a snapshot).
     */
    @WithDefault("1000")
    @Min(1)
    @Max(100_000)
    int clientPendingRuns();

    /**
     * A fault for tests, zero in production: the snapshot a new client gets first is delivered this much later
     * than it was read, so that events published meanwhile must be kept for it.
     */
    @WithDefault("0s")
    Duration snapshotDelay();
}
