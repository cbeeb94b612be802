package dev.batchwise.llm;

/**
 * Request counts of a batch: submitted = succeeded + failed + processing.
 * <p>
 * {@code failed} is every request that did not succeed: it ran and failed, or it was cancelled or expired
 * before it ran. Providers do not all count the last kind (an expired or cancelled OpenAI batch counts only the
 * requests that ran, in {@code completed} and {@code failed}); once a batch is final ({@link BatchStatus#isFinal})
 * {@code processing} is 0 and every request that did not succeed is in {@code failed}, whether or not the provider
 * sends a results line for it. So {@code failed} is not the number of failed results to expect: match results by
 * custom id and treat a missing one as not done.
 */
public record BatchTotals(int submitted, int succeeded, int failed, int processing) {

    public BatchTotals plus(BatchTotals other) {
        return new BatchTotals(submitted + other.submitted, succeeded + other.succeeded, failed + other.failed,
                processing + other.processing);
    }
}
