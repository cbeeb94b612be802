package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.messaging.PlainlyValid;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The value on {@code atoms.inferred}: a run's atoms, or one part of them, to be scored. Keyed by runId. A run too
 * large for one Kafka record comes as several, {@code part} 1..{@code parts}, in any order; a record without both
 * is the whole run (part 1 of 1).
 *
 * @param part    this record's part of the run, from 1; null with {@code parts} for a whole run
 * @param parts   how many parts the run has; the same in every part
 * @param options producer's options for the run, kept as sent; the same in every part
 */
public record AtomsInferred(
        @NotBlank @Size(max = RUN_ID_MAX) @Pattern(regexp = RUN_ID,
                message = "may only contain letters, digits, '.', '_', ':' and '-'") String runId,
        @Min(1) @Max(MAX_PARTS) Integer part,
        @Min(1) @Max(MAX_PARTS) Integer parts,
        @NotEmpty List<@NotNull @Valid InferredAtom> atoms,
        JsonNode options) implements PlainlyValid {

    /** 10,000 parts of up to 1 MiB: far beyond any run we expect, and a bound on what one run can hold. */
    public static final int MAX_PARTS = 10_000;
    private static final int RUN_ID_MAX = 128;
    private static final String RUN_ID = "[A-Za-z0-9._:-]*";
    private static final java.util.regex.Pattern RUN_ID_PATTERN = java.util.regex.Pattern.compile(RUN_ID);

    /**
     * The constraints above, checked in place (a part has thousands of atoms; the validator took 10 ms per part of
     * 3,826). Change both together: {@code AtomsInferredTest} compares them.
     */
    @Override
    public boolean plainlyValid() {
        if (blank(runId) || runId.length() > RUN_ID_MAX || !RUN_ID_PATTERN.matcher(runId).matches()
                || !inRange(part) || !inRange(parts) || atoms == null || atoms.isEmpty()) {
            return false;
        }
        for (InferredAtom atom : atoms) {
            if (atom == null || !atom.plainlyValid()) {
                return false;
            }
        }
        return true;
    }

    private static boolean inRange(Integer value) {
        return value == null || (value >= 1 && value <= MAX_PARTS);
    }

    /** What {@code @NotBlank} refuses: null, or whitespace only ({@code isBlank()}, as Hibernate Validator 9 has it). */
    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /** A whole run in one record. */
    public static AtomsInferred whole(String runId, List<InferredAtom> atoms, JsonNode options) {
        return new AtomsInferred(runId, null, null, atoms, options);
    }

    /** One inferred atom; fields beyond these are kept in the atom's stored payload. */
    public record InferredAtom(
            @NotBlank @Size(max = TEMP_ID_MAX) String tempId,
            @NotBlank String description,
            @Size(max = CATEGORY_MAX) String category) {

        private static final int TEMP_ID_MAX = 256;
        private static final int CATEGORY_MAX = 128;

        /** This atom's constraints, checked in place (see {@link AtomsInferred#plainlyValid()}). */
        boolean plainlyValid() {
            return !blank(tempId) && tempId.length() <= TEMP_ID_MAX && !blank(description)
                    && (category == null || category.length() <= CATEGORY_MAX);
        }
    }
}
