package dev.batchwise.status;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * The pipeline step a run is in: its atoms are inferred from tests, then verified (scored). Stored by name in
 * {@code reconciliation_runs.stage}; lower case on the wire.
 */
public enum RunStage {
    INFERRING, VERIFYING;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RunStage fromWire(String value) {
        for (RunStage stage : values()) {
            if (stage.wireName().equals(value) || stage.name().equals(value)) {
                return stage;
            }
        }
        throw new IllegalArgumentException("unknown run stage '" + value + "', expected one of "
                + Arrays.stream(values()).map(RunStage::wireName).toList());
    }
}
