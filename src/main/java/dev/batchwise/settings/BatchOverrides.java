package dev.batchwise.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.llm.Provider;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code batch} section of a configuration in the plan's shape, {@code {"batch": {"enabled": true,
 * "threshold": 20, "pollIntervalMs": 30000, "timeoutMs": 3600000, "maxRequestsPerBatch": 5000}}}: each value set,
 * or null where the environment's applies (left out, or JSON null). The same checks serve {@code PUT /api/config},
 * which refuses a body with any problem, and the reading of the stored row, which skips a bad value (a row written
 * by hand) and keeps the rest.
 */
record BatchOverrides(Boolean enabled, Integer threshold, Long pollIntervalMs, Long timeoutMs,
                      Integer maxRequestsPerBatch) {

    static final BatchOverrides NONE = new BatchOverrides(null, null, null, null, null);
    static final List<String> FIELDS = List.of("enabled", "threshold", "pollIntervalMs", "timeoutMs",
            "maxRequestsPerBatch");

    /** A run of more atoms than this would need a batch anyway (one instance's design limit is 100,000 atoms). */
    static final long MAX_THRESHOLD = 100_000;
    /** Faster polls only load the provider; the test profile polls every 200 ms. */
    static final long MIN_POLL_INTERVAL_MS = 100;
    static final long MAX_POLL_INTERVAL_MS = 3_600_000;
    /** Under a second a batch cannot even be created and polled once. */
    static final long MIN_TIMEOUT_MS = 1000;
    /** Both providers end a batch within 24 hours, so a longer timeout would never fire. */
    static final long MAX_TIMEOUT_MS = 86_400_000;

    /**
     * Reads a configuration; every problem goes to {@code problems}, naming the field and what is allowed, and the
     * value in question is left out. {@code provider} is the one whose batch size limit bounds {@code
     * maxRequestsPerBatch}. Sections other than {@code batch} are problems only when {@code strict}.
     */
    static BatchOverrides read(JsonNode config, Provider provider, boolean strict, Consumer<String> problems) {
        if (config == null || config.isNull() || config.isMissingNode()) {
            return NONE;
        }
        if (!config.isObject()) {
            problems.accept("the configuration must be a JSON object");
            return NONE;
        }
        if (strict) {
            for (Iterator<String> names = config.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!"batch".equals(name)) {
                    problems.accept("unknown field '" + name + "' (allowed: batch)");
                }
            }
        }
        JsonNode batch = config.get("batch");
        if (batch == null || batch.isNull()) {
            return NONE;
        }
        if (!batch.isObject()) {
            problems.accept("batch must be an object (was " + batch + ")");
            return NONE;
        }
        for (Iterator<String> names = batch.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                problems.accept("unknown field 'batch." + name + "' (allowed: " + String.join(", ", FIELDS) + ")");
            }
        }
        // in the order of FIELDS, so the problems are named in that order
        Boolean enabled = bool(batch, "enabled", problems);
        Long threshold = integer(batch, "threshold", 0, MAX_THRESHOLD, "", problems);
        Long pollIntervalMs = integer(batch, "pollIntervalMs", MIN_POLL_INTERVAL_MS, MAX_POLL_INTERVAL_MS, "", problems);
        Long timeoutMs = integer(batch, "timeoutMs", MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, "", problems);
        Long maxPerBatch = integer(batch, "maxRequestsPerBatch", 1, provider.maxRequestsPerBatch(),
                ", the " + provider.wireName() + " limit", problems);
        return new BatchOverrides(enabled, threshold == null ? null : threshold.intValue(), pollIntervalMs, timeoutMs,
                maxPerBatch == null ? null : maxPerBatch.intValue());
    }

    /** This section as it is stored: only the values that are set. */
    ObjectNode toJson() {
        ObjectNode batch = JsonNodeFactory.instance.objectNode();
        if (enabled != null) {
            batch.put("enabled", enabled);
        }
        if (threshold != null) {
            batch.put("threshold", threshold);
        }
        if (pollIntervalMs != null) {
            batch.put("pollIntervalMs", pollIntervalMs);
        }
        if (timeoutMs != null) {
            batch.put("timeoutMs", timeoutMs);
        }
        if (maxRequestsPerBatch != null) {
            batch.put("maxRequestsPerBatch", maxRequestsPerBatch);
        }
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        config.set("batch", batch);
        return config;
    }

    private static Boolean bool(JsonNode batch, String field, Consumer<String> problems) {
        JsonNode value = batch.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            problems.accept("batch." + field + " must be true or false (was " + value + ")");
            return null;
        }
        return value.booleanValue();
    }

    private static Long integer(JsonNode batch, String field, long min, long max, String why,
                                Consumer<String> problems) {
        JsonNode value = batch.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        // 30.0 and "30" are refused too: a setting is a JSON integer, as GET /api/config shows it
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min
                || value.longValue() > max) {
            problems.accept("batch." + field + " must be an integer from " + min + " to " + max + why
                    + " (was " + value + ")");
            return null;
        }
        return value.longValue();
    }
}
