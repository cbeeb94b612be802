package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes runs on {@code atoms.inferred}, keyed by runId, as any producer of the pipeline would. */
@ApplicationScoped
public class RunPublisher {

    static final String CHANNEL = "atoms-inferred-out";

    private final MutinyEmitter<Record<String, Object>> emitter;

    RunPublisher(@Channel(CHANNEL) MutinyEmitter<Record<String, Object>> emitter) {
        this.emitter = emitter;
    }

    /** Completes once the broker has the record. */
    public Uni<Void> publish(AtomsInferred run) {
        return emitter.send(Record.of(run.runId(), run));
    }

    /** A run as it was sent to the API, fields we do not model included. */
    Uni<Void> publish(String runId, JsonNode run) {
        return emitter.send(Record.of(runId, run));
    }
}
