package dev.batchwise.status;

import dev.batchwise.messaging.JsonRecords;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Fans {@code reconciliation.status} out to this instance's WebSocket clients. Each instance reads the topic with a
 * consumer group of its own, so a browser connected anywhere sees every run's events. Handing an event to a client
 * only queues it ({@link StatusFeed}): a slow client never holds up the topic, the other clients or the pipeline.
 */
@ApplicationScoped
public class StatusBridge {

    public static final String CHANNEL = "reconciliation-status-in";

    private final JsonRecords records;
    private final Set<Consumer<StatusEvent>> listeners = ConcurrentHashMap.newKeySet();

    StatusBridge(JsonRecords records) {
        this.records = records;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onStatus(String value) {
        StatusEvent event = records.read(value, StatusEvent.class);
        Log.debugf("run=%s status=%s seq=%d", event.runId(), event.status(), event.seq());
        listeners.forEach(listener -> listener.accept(event));
        return Uni.createFrom().voidItem();
    }

    /** Every event from now on goes to {@code listener} until the returned handle is run. */
    Runnable listen(Consumer<StatusEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
