package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes runs on {@code atoms.inferred}, keyed by runId, as any producer of the pipeline would: in parts
 * ({@link RunParts}, sized by {@link IntakeConfig}), so a run of any size fits Kafka's record limit. The only
 * emitter on {@code atoms-inferred-out}; its values are the serialized JSON, so a part's size is what was measured.
 */
@ApplicationScoped
public class RunPublisher {

    static final String CHANNEL = "atoms-inferred-out";
    /** Parts handed to the producer at once: enough to keep it busy, few enough for the emitter's buffer. */
    private static final int IN_FLIGHT = 16;

    private final MutinyEmitter<Record<String, byte[]>> emitter;
    private final ObjectMapper mapper;
    private final IntakeConfig config;

    RunPublisher(@Channel(CHANNEL) MutinyEmitter<Record<String, byte[]>> emitter, ObjectMapper mapper,
                 IntakeConfig config) {
        this.emitter = emitter;
        this.mapper = mapper;
        this.config = config;
    }

    /** Publishes the run in parts; the number of parts, once the broker has every one. */
    public Uni<Integer> publish(AtomsInferred run) {
        List<JsonNode> atoms = new ArrayList<>(run.atoms().size());
        run.atoms().forEach(atom -> atoms.add(mapper.valueToTree(atom)));
        return publish(run.runId(), atoms, run.options());
    }

    /** The run's atoms as they were sent to the API (fields we do not model included), in parts. */
    Uni<Integer> publish(String runId, List<JsonNode> atoms, JsonNode options) {
        return Uni.createFrom().item(() -> RunParts.split(mapper, runId, atoms, options, config.partMaxAtoms(),
                        config.partMaxBytes()))
                .flatMap(parts -> Multi.createFrom().iterable(parts)
                        // merge subscribes in order, so the parts reach the producer (and the partition) in order
                        .onItem().transformToUni(part -> emitter.send(Record.of(runId, part))).merge(IN_FLIGHT)
                        .collect().last()
                        .replaceWith(parts.size()));
    }
}
