package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes inference runs on {@code inference.requested}, keyed by runId, in parts sized as {@link RunPublisher}
 * sizes atoms ({@link RunParts}, {@link IntakeConfig}): a test carries its context, so a run of a few thousand tests
 * is already more than one Kafka record holds.
 */
@ApplicationScoped
public class InferencePublisher {

    static final String CHANNEL = "inference-requested-out";
    private static final int IN_FLIGHT = 16;

    private final MutinyEmitter<Record<String, byte[]>> emitter;
    private final ObjectMapper mapper;
    private final IntakeConfig config;

    InferencePublisher(@Channel(CHANNEL) MutinyEmitter<Record<String, byte[]>> emitter, ObjectMapper mapper,
                       IntakeConfig config) {
        this.emitter = emitter;
        this.mapper = mapper;
        this.config = config;
    }

    /** The run's tests as they were sent (fields we do not model included), in parts; the number of parts. */
    Uni<Integer> publish(String runId, List<JsonNode> tests, JsonNode options) {
        return Uni.createFrom().item(() -> RunParts.split(mapper, runId, RunParts.TESTS, tests, options,
                        config.partMaxAtoms(), config.partMaxBytes()))
                .flatMap(parts -> Multi.createFrom().iterable(parts)
                        // merge subscribes in order, so the parts reach the producer (and the partition) in order
                        .onItem().transformToUni(part -> emitter.send(Record.of(runId, part))).merge(IN_FLIGHT)
                        .collect().last()
                        .replaceWith(parts.size()));
    }
}
