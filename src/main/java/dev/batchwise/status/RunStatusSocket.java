package dev.batchwise.status;

import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.PathParam;
import io.quarkus.websockets.next.WebSocket;
import io.smallrye.mutiny.Multi;

/**
 * {@code /ws/runs/{runId}}: the run's current status first (so a new client is never blank),
 * then every status event of the run as it happens.
 */
@WebSocket(path = "/ws/runs/{runId}")
public class RunStatusSocket {

    private final RunSnapshots snapshots;
    private final StatusBridge bridge;

    RunStatusSocket(RunSnapshots snapshots, StatusBridge bridge) {
        this.snapshots = snapshots;
        this.bridge = bridge;
    }

    @OnOpen
    public Multi<StatusEvent> onOpen(@PathParam String runId) {
        // Snapshot first, then live: an event that lands in between is superseded by the next one,
        // since every event carries the whole state.
        return Multi.createBy().concatenating().streams(
                snapshots.current(runId).toMulti(),
                bridge.eventsOf(runId));
    }
}
