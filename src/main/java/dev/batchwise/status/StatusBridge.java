package dev.batchwise.status;

import dev.batchwise.messaging.JsonRecords;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.operators.multi.processors.SerializedProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Fans {@code reconciliation.status} out to this instance's WebSocket clients. Each instance reads the
 * topic with a consumer group of its own, so a browser connected anywhere sees every run's events.
 * Holds no state: a new client gets its first snapshot from the database, not from here.
 */
@ApplicationScoped
public class StatusBridge {

    public static final String CHANNEL = "reconciliation-status-in";

    private final JsonRecords records;
    // serialized: records of several partitions may arrive on different threads
    private final SerializedProcessor<StatusEvent, StatusEvent> live = BroadcastProcessor.<StatusEvent>create().serialized();

    StatusBridge(JsonRecords records) {
        this.records = records;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onStatus(String value) {
        StatusEvent event = records.read(value, StatusEvent.class);
        Log.debugf("run=%s status=%s", event.runId(), event.status());
        live.onNext(event);
        return Uni.createFrom().voidItem();
    }

    /** Live events of one run, from now on. */
    public Multi<StatusEvent> eventsOf(String runId) {
        return Multi.createFrom().publisher(live).filter(event -> event.runId().equals(runId));
    }
}
