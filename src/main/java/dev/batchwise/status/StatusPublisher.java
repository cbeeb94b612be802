package dev.batchwise.status;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes run status events on {@code reconciliation.status}, keyed by runId. */
@ApplicationScoped
public class StatusPublisher {

    public static final String CHANNEL = "reconciliation-status-out";

    private final MutinyEmitter<Record<String, StatusEvent>> emitter;

    StatusPublisher(@Channel(CHANNEL) MutinyEmitter<Record<String, StatusEvent>> emitter) {
        this.emitter = emitter;
    }

    /** Completes once the broker has the event, so a caller can ack its own input only after that. */
    public Uni<Void> publish(StatusEvent event) {
        return emitter.send(Record.of(event.runId(), event));
    }
}
