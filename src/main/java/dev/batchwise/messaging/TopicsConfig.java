package dev.batchwise.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** Topic creation where Batchwise owns the broker (dev, test, demo); clusters use Strimzi KafkaTopics. */
@ConfigMapping(prefix = "batchwise.topics")
public interface TopicsConfig {

    /** Create the pipeline's topics and their dead-letter topics at start-up. */
    @WithDefault("true")
    boolean createAtStart();

    /** Partitions of each pipeline topic; records are keyed by runId, so a run stays on one. */
    @WithDefault("3")
    @Min(1)
    @Max(1000)
    int partitions();

    /** Replication factor of created topics (1 on a single local broker). */
    @WithDefault("1")
    @Min(1)
    @Max(32)
    short replicationFactor();
}
