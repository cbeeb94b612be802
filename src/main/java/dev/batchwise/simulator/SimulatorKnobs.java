package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Holds the current {@link SimulatorSettings}: start values from config, changed by {@code PUT /sim/config}. */
@ApplicationScoped
public class SimulatorKnobs {

    /** Shown by {@link #view()} instead of the key itself; accepted back by {@link #update(JsonNode)}. */
    static final String API_KEY_SET = "apiKeySet";

    private final ObjectMapper mapper;
    private final AtomicReference<SimulatorSettings> current;
    /** The configured key, so that {@code "apiKeySet": true} can restore it after a test cleared it. */
    private final String startKey;

    SimulatorKnobs(SimulatorConfig config, ObjectMapper mapper) {
        this.mapper = mapper;
        this.current = new AtomicReference<>(SimulatorSettings.from(config));
        this.startKey = config.apiKey().orElse(null);
    }

    public SimulatorSettings get() {
        return current.get();
    }

    /**
     * The settings as {@code GET /sim/config} shows them: every knob, except that the API key is never shown,
     * only whether one is set ({@code apiKeySet}), in its place.
     */
    public ObjectNode view() {
        ObjectNode all = mapper.valueToTree(current.get());
        ObjectNode view = mapper.createObjectNode();
        for (Map.Entry<String, JsonNode> field : all.properties()) {
            if (field.getKey().equals("apiKey")) {
                view.put(API_KEY_SET, field.getValue().isTextual());
            } else {
                view.set(field.getKey(), field.getValue());
            }
        }
        return view;
    }

    /**
     * Applies the fields of {@code patch} over the current settings. Unknown fields and out-of-range values
     * are rejected with a message that names them; nothing changes then. So that what {@link #view()} shows
     * can be put back as it is, {@code apiKeySet} is accepted too when {@code apiKey} is not given: false
     * removes the key, true keeps the current one (or, if there is none, the configured one).
     */
    public ObjectNode update(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object of settings");
        }
        SimulatorSettings now = current.get();
        ObjectNode merged = mapper.valueToTree(now);
        for (Iterator<String> names = patch.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equals(API_KEY_SET)) {
                continue;
            }
            if (!merged.has(name)) {
                throw new IllegalArgumentException("unknown setting '" + name + "'; known: " + fieldNames(merged)
                        + ", " + API_KEY_SET);
            }
            merged.set(name, patch.get(name));
        }
        if (patch.has(API_KEY_SET) && !patch.has("apiKey")) {
            JsonNode set = patch.get(API_KEY_SET);
            if (!set.isBoolean()) {
                throw new IllegalArgumentException("bad setting value: apiKeySet must be true or false");
            }
            String key = !set.booleanValue() ? null : now.apiKey() != null ? now.apiKey() : startKey;
            if (set.booleanValue() && key == null) {
                throw new IllegalArgumentException("apiKeySet is true but no key is known; set apiKey instead");
            }
            merged.put("apiKey", key);
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
        return view();
    }

    private static String fieldNames(ObjectNode node) {
        StringBuilder names = new StringBuilder();
        node.fieldNames().forEachRemaining(n -> names.append(names.length() == 0 ? "" : ", ").append(n));
        return names.toString();
    }
}
