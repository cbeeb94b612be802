package dev.batchwise.batch;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How long a run's batches still need, from what was observed, never made up: where the provider reports progress
 * (OpenAI's request counts) from the job's own completion rate; where it does not (Anthropic counts nothing until
 * the end) from how long earlier batches of a similar size took at the same provider. No basis for one job means no
 * estimate for the run: the run is done when its slowest job is.
 */
public final class TimeEstimate {

    /**
     * One job as the estimate sees it.
     *
     * @param ended          the provider batch has ended (or the job is done): nothing left to wait for
     * @param total          requests in the job
     * @param done           requests the provider counted as finished so far
     * @param elapsedSeconds since the batch was submitted; null while it is not
     * @param typicalSeconds median submit-to-end time of earlier ended batches of a similar size; null if none
     */
    public record Job(boolean ended, int total, int done, Double elapsedSeconds, Double typicalSeconds) {
    }

    private TimeEstimate() {
    }

    /** The time left until every job's batch has ended; empty when there is no basis for one of them. */
    public static Optional<Duration> remaining(List<Job> jobs) {
        double longest = 0;
        for (Job job : jobs) {
            Optional<Double> left = remaining(job);
            if (left.isEmpty()) {
                return Optional.empty();
            }
            longest = Math.max(longest, left.get());
        }
        return Optional.of(Duration.ofMillis(Math.round(longest * 1000)));
    }

    static Optional<Double> remaining(Job job) {
        if (job.ended() || job.total() == 0) {
            return Optional.of(0.0);
        }
        if (job.elapsedSeconds() != null && job.done() > 0 && job.done() < job.total()) {
            double perRequest = job.elapsedSeconds() / job.done();
            return Optional.of(perRequest * (job.total() - job.done()));
        }
        if (job.typicalSeconds() == null) {
            return Optional.empty();
        }
        if (job.elapsedSeconds() == null) {
            return Optional.of(job.typicalSeconds());
        }
        double left = job.typicalSeconds() - job.elapsedSeconds();
        // past what similar batches took: the history says nothing more about this one
        return left > 0 ? Optional.of(left) : Optional.empty();
    }
}
