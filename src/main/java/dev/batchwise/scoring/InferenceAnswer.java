package dev.batchwise.scoring;

import dev.batchwise.scoring.QualityAnswer.Repair;
import java.util.List;
import java.util.Set;

/**
 * An inference answer, read by {@link AtomInferenceService#read}: the atoms the model listed for one test, or why
 * none could be read.
 *
 * @param atoms      in the order of the answer; empty when it could not be read
 * @param parseIssue null for an answer read whole; set when it could not be read (no atoms), or when entries of it
 *                   were left out (each named by its position)
 * @param repairs    what was done to read it (the same repairs as for quality answers)
 */
public record InferenceAnswer(List<Atom> atoms, String parseIssue, Set<Repair> repairs) {

    /**
     * One inferred atom. {@code index} is its position in the answer (from 0), kept when entries before it were
     * left out, so its tempId does not depend on how well its neighbours were written.
     */
    public record Atom(int index, String description, String category) {
    }

    public InferenceAnswer {
        atoms = List.copyOf(atoms);
        repairs = Set.copyOf(repairs);
    }

    public boolean readable() {
        return !atoms.isEmpty();
    }
}
