package dev.batchwise.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.reconciliation.AtomsInferred.InferredAtom;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link AtomsInferred#plainlyValid()} against the validator, on each constraint's edges: plain JUnit. The intake
 * trusts the one and asks the other only when it says no, so they must agree on every record.
 */
class AtomsInferredTest {

    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();
    private static final InferredAtom GOOD = new InferredAtom("a-1", "Totals match", "functional");

    @Test
    void plainlyValidAcceptsExactlyWhatTheConstraintsAccept() {
        List<AtomsInferred> cases = new ArrayList<>();
        for (String runId : Arrays.asList("run-1", "r.1_a:b-c", "x".repeat(128), null, "", "  ", "\u2003", "x".repeat(129),
                "bad id!", "ünï")) {
            cases.add(new AtomsInferred(runId, null, null, List.of(GOOD), null));
        }
        for (Integer number : Arrays.asList(1, 10_000, 0, -1, 10_001, null)) {
            cases.add(new AtomsInferred("run-1", number, 10_000, List.of(GOOD), null));
            cases.add(new AtomsInferred("run-1", 1, number, List.of(GOOD), null));
        }
        cases.add(new AtomsInferred("run-1", null, null, null, null));
        cases.add(new AtomsInferred("run-1", null, null, List.of(), null));
        cases.add(new AtomsInferred("run-1", null, null, Arrays.asList(GOOD, null), null));
        for (String tempId : Arrays.asList("t", "x".repeat(256), null, "", " \t", "\u2003", "x".repeat(257))) {
            cases.add(new AtomsInferred("run-1", null, null, List.of(GOOD, new InferredAtom(tempId, "d", null)), null));
        }
        for (String description : Arrays.asList("d", null, "", "\n", "\u3000", "ünïcödé")) {
            cases.add(new AtomsInferred("run-1", null, null, List.of(new InferredAtom("t", description, "c"), GOOD), null));
        }
        for (String category : Arrays.asList(null, "", " ", "x".repeat(128), "x".repeat(129))) {
            cases.add(new AtomsInferred("run-1", null, null, List.of(new InferredAtom("t", "d", category)), null));
        }
        int valid = 0;
        for (AtomsInferred event : cases) {
            boolean byValidator = VALIDATOR.validate(event).isEmpty();
            assertEquals(byValidator, event.plainlyValid(), () -> "disagree on " + event + ": " + VALIDATOR.validate(event));
            valid += byValidator ? 1 : 0;
        }
        assertTrue(valid > 10 && valid < cases.size() - 10, "both kinds among the cases: " + valid + " of " + cases.size());
    }
}
