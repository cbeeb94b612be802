package dev.batchwise.llm;

/** Request counts of a batch: submitted = succeeded + failed + processing. */
public record BatchTotals(int submitted, int succeeded, int failed, int processing) {

    public BatchTotals plus(BatchTotals other) {
        return new BatchTotals(submitted + other.submitted, succeeded + other.succeeded, failed + other.failed,
                processing + other.processing);
    }
}
