package dev.batchwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TimeEstimateTest {

    private static Optional<Duration> of(TimeEstimate.Job... jobs) {
        return TimeEstimate.remaining(List.of(jobs));
    }

    @Test
    void fromTheObservedRateWhereTheProviderCountsProgress() {
        // OpenAI: 250 of 1,000 done in 300 s -> 750 more at 1.2 s each
        assertEquals(Optional.of(Duration.ofSeconds(900)), of(new TimeEstimate.Job(false, 1000, 250, 300.0, null)));
        // the rate wins over the history when both are there
        assertEquals(Optional.of(Duration.ofSeconds(900)), of(new TimeEstimate.Job(false, 1000, 250, 300.0, 60.0)));
    }

    @Test
    void fromEarlierBatchesOfSimilarSizeWhereTheProviderCountsNothingUntilTheEnd() {
        // Anthropic: nothing counted after 200 s; similar batches took 720 s
        assertEquals(Optional.of(Duration.ofSeconds(520)), of(new TimeEstimate.Job(false, 5000, 0, 200.0, 720.0)));
        // not submitted yet: the whole typical time
        assertEquals(Optional.of(Duration.ofSeconds(720)), of(new TimeEstimate.Job(false, 5000, 0, null, 720.0)));
    }

    @Test
    void unknownWithoutABasisNeverAMadeUpNumber() {
        assertEquals(Optional.empty(), of(new TimeEstimate.Job(false, 5000, 0, 200.0, null)), "no history");
        assertEquals(Optional.empty(), of(new TimeEstimate.Job(false, 5000, 0, 900.0, 720.0)), "past the history");
        assertEquals(Optional.empty(), of(new TimeEstimate.Job(true, 10, 10, 5.0, null),
                new TimeEstimate.Job(false, 10, 0, 5.0, null)), "one job without a basis: the run has none");
    }

    @Test
    void theRunWaitsForItsSlowestJobAndEndedJobsWaitForNothing() {
        assertEquals(Optional.of(Duration.ofSeconds(600)), of(new TimeEstimate.Job(true, 100, 100, 50.0, null),
                new TimeEstimate.Job(false, 100, 50, 600.0, null), new TimeEstimate.Job(false, 100, 0, null, 120.0)));
    }
}
