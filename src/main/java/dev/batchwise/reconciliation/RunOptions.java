package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.llm.Provider;
import dev.batchwise.messaging.InvalidRecordException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A run's {@code options}, read: {@code mode} ({@code auto} | {@code batch} | {@code realtime}) and
 * {@code provider} ({@code anthropic} | {@code openai}). Anything else in the object is kept as sent.
 */
record RunOptions(Mode mode, Optional<Provider> provider) {

    enum Mode { AUTO, BATCH, REALTIME }

    static final RunOptions DEFAULTS = new RunOptions(Mode.AUTO, Optional.empty());

    static RunOptions of(JsonNode options) {
        if (options == null || options.isNull()) {
            return DEFAULTS;
        }
        if (!options.isObject()) {
            throw new InvalidRecordException("options must be a JSON object");
        }
        Mode mode = Mode.AUTO;
        JsonNode modeNode = options.get("mode");
        if (modeNode != null && !modeNode.isNull()) {
            String value = modeNode.asText().toLowerCase(Locale.ROOT);
            mode = Arrays.stream(Mode.values()).filter(m -> m.name().toLowerCase(Locale.ROOT).equals(value))
                    .findFirst().orElseThrow(() -> new InvalidRecordException("options.mode must be auto, batch or"
                            + " realtime (was " + modeNode + ")"));
        }
        Optional<Provider> provider = Optional.empty();
        JsonNode providerNode = options.get("provider");
        if (providerNode != null && !providerNode.isNull()) {
            String value = providerNode.asText();
            provider = Optional.of(Arrays.stream(Provider.values()).filter(p -> p.wireName().equals(value))
                    .findFirst().orElseThrow(() -> new InvalidRecordException("options.provider must be anthropic or"
                            + " openai (was " + providerNode + ")")));
        }
        return new RunOptions(mode, provider);
    }
}
