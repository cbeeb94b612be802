package dev.batchwise.llm;

/** A provider batch's state in our terms; each adapter maps its provider's spelling onto these once. */
public enum BatchStatus {
    SUBMITTED, PROCESSING, COMPLETED, FAILED, EXPIRED, CANCELLING, CANCELLED;

    /** Results (possibly partial) can be collected and nothing will change any more. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == EXPIRED || this == CANCELLED;
    }
}
