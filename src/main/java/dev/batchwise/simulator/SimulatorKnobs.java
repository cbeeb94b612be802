package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicReference;

/** Holds the current {@link SimulatorSettings}: start values from config, changed by {@code PUT /sim/config}. */
@ApplicationScoped
public class SimulatorKnobs {

    private final ObjectMapper mapper;
    private final AtomicReference<SimulatorSettings> current;

    SimulatorKnobs(SimulatorConfig config, ObjectMapper mapper) {
        this.mapper = mapper;
        this.current = new AtomicReference<>(SimulatorSettings.from(config));
    }

    public SimulatorSettings get() {
        return current.get();
    }

    /**
     * Applies the fields of {@code patch} over the current settings. Unknown fields and out-of-range values
     * are rejected with a message that names them; nothing changes then.
     */
    public SimulatorSettings update(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object of settings");
        }
        ObjectNode merged = mapper.valueToTree(current.get());
        for (Iterator<String> names = patch.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!merged.has(name)) {
                throw new IllegalArgumentException("unknown setting '" + name + "'; known: " + fieldNames(merged));
            }
            merged.set(name, patch.get(name));
        }
        SimulatorSettings next;
        try {
            next = mapper.treeToValue(merged, SimulatorSettings.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad setting value: " + e.getMessage().lines().findFirst().orElse(""));
        }
        String problem = next.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        current.set(next);
        return next;
    }

    private static String fieldNames(ObjectNode node) {
        StringBuilder names = new StringBuilder();
        node.fieldNames().forEachRemaining(n -> names.append(names.length() == 0 ? "" : ", ").append(n));
        return names.toString();
    }
}
