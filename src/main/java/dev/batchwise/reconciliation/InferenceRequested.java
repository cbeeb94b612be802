package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The value on {@code inference.requested}: a run's tests, or one part of them, to infer atoms from. Keyed by runId.
 * Parts as on {@code atoms.inferred}: {@code part} 1..{@code parts} in any order, both left out for a whole run.
 *
 * @param options producer's options for the run (as on {@code atoms.inferred}: {@code mode}, {@code provider}),
 *                kept as sent; the same in every part, and carried on to the atoms the run yields
 */
public record InferenceRequested(
        @NotBlank @Size(max = 128) @Pattern(regexp = "[A-Za-z0-9._:-]*",
                message = "may only contain letters, digits, '.', '_', ':' and '-'") String runId,
        @Min(1) @Max(AtomsInferred.MAX_PARTS) Integer part,
        @Min(1) @Max(AtomsInferred.MAX_PARTS) Integer parts,
        @NotEmpty List<@NotNull @Valid RequestedTest> tests,
        JsonNode options) {

    /** One test; fields beyond these are kept in the test's stored payload. */
    public record RequestedTest(
            @NotBlank @Size(max = 256) String testId,
            String name,
            String context) {
    }
}
