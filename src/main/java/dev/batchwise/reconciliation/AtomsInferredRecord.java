package dev.batchwise.reconciliation;

/**
 * An {@code atoms.inferred} record as the consumer received it: its value as sent (for the dead-letter topic) and
 * either the part it holds, read ahead ({@link EncodedPart}), or why it could not be read, raised only when the
 * record's turn comes, so that it goes to the dead-letter topic in order, naming the fault.
 */
record AtomsInferredRecord(byte[] value, EncodedPart part, RuntimeException unreadable) {

    /** The part, or the fault that makes the record unreadable. */
    EncodedPart read() {
        if (unreadable != null) {
            throw unreadable;
        }
        return part;
    }
}
