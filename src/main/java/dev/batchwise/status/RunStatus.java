package dev.batchwise.status;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Set;

/**
 * Where a reconciliation run is: {@code RECEIVED -> VERIFYING | BATCH_PROCESSING -> VERIFIED | FAILED}.
 * Stored by name in {@code reconciliation_runs.status}; lower case on the wire ({@code batch_processing}).
 */
public enum RunStatus {
    RECEIVED, VERIFYING, BATCH_PROCESSING, VERIFIED, FAILED;

    /** The moves a run may make; batch runs fall back to real time, so BATCH_PROCESSING -> VERIFYING is one. */
    public boolean canMoveTo(RunStatus next) {
        return switch (this) {
            case RECEIVED -> Set.of(VERIFYING, BATCH_PROCESSING, FAILED).contains(next);
            case VERIFYING -> Set.of(VERIFIED, FAILED).contains(next);
            case BATCH_PROCESSING -> Set.of(VERIFYING, VERIFIED, FAILED).contains(next);
            case VERIFIED, FAILED -> false;
        };
    }

    public boolean isFinal() {
        return this == VERIFIED || this == FAILED;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RunStatus fromWire(String value) {
        for (RunStatus status : values()) {
            if (status.wireName().equals(value) || status.name().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown run status '" + value + "', expected one of "
                + java.util.Arrays.stream(values()).map(RunStatus::wireName).toList());
    }
}
