package dev.batchwise.reconciliation;

/** An atom as the review API shows it. */
public record AtomView(String tempId, String description, String category, Integer qualityScore) {

    static AtomView of(Atom atom) {
        return new AtomView(atom.tempId, atom.description, atom.category, atom.qualityScore);
    }
}
