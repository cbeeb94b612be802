package dev.batchwise.testing;

import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** A KafkaCompanion on the test JVM's local broker, for producing raw records and reading topics. */
public final class TestKafka {

    private TestKafka() {
    }

    public static KafkaCompanion companion() {
        return new KafkaCompanion(LocalKafkaResource.bootstrapServers());
    }
}
