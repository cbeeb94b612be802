package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The value on {@code atoms.inferred}: a run's atoms, to be scored. Keyed by runId.
 *
 * @param options producer's options for the run, kept as sent
 */
public record AtomsInferred(
        @NotBlank @Size(max = 128) @Pattern(regexp = "[A-Za-z0-9._:-]*",
                message = "may only contain letters, digits, '.', '_', ':' and '-'") String runId,
        @NotEmpty List<@NotNull @Valid InferredAtom> atoms,
        JsonNode options) {

    /** One inferred atom; fields beyond these are kept in the atom's stored payload. */
    public record InferredAtom(
            @NotBlank @Size(max = 256) String tempId,
            @NotBlank String description,
            @Size(max = 128) String category) {
    }
}
