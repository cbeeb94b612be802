package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.messaging.InvalidRecordException;
import java.util.ArrayList;
import java.util.List;

/**
 * A record read and checked by either intake: the event as modelled ({@link AtomsInferred},
 * {@link InferenceRequested}), its part of the run (a whole run is part 1 of 1) and its options.
 */
record Intake<E>(E event, RunPart of, RunOptions options) {

    String runId() {
        return of.runId();
    }

    /** The entries as sent, so fields we do not model reach the stored payload. */
    JsonNode entries() {
        return of.entries();
    }

    int parts() {
        return of.parts();
    }

    String describe() {
        return of.describe();
    }

    /**
     * The entries of a body that must be a whole run ({@code endpoint} publishes it in parts itself): a body that
     * says which part it is ({@code sentPart}) is refused, naming the endpoint.
     */
    List<JsonNode> wholeRun(Integer sentPart, String endpoint) {
        if (sentPart != null) {
            throw new InvalidRecordException("part and parts are not for " + endpoint + ": it takes a whole run and"
                    + " publishes it in parts itself");
        }
        List<JsonNode> entries = new ArrayList<>(of.entries().size());
        of.entries().forEach(entries::add);
        return entries;
    }
}
