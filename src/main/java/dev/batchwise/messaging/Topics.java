package dev.batchwise.messaging;

import java.util.List;

/**
 * The Kafka topics of the pipeline. Channel names ({@code <topic>-in}, {@code <topic>-out}) and
 * their settings live in application.properties; each consumed topic has a {@code <topic>.dlq}.
 */
public final class Topics {

    public static final String INFERENCE_REQUESTED = "inference.requested";
    public static final String ATOMS_INFERRED = "atoms.inferred";
    public static final String VERIFY_REQUESTED = "verify.requested";
    public static final String BATCH_COMPLETED = "batch.completed";
    public static final String RECONCILIATION_STATUS = "reconciliation.status";

    /** Every topic with a consumer in Batchwise, hence with a dead-letter topic. */
    public static final List<String> CONSUMED = List.of(
            INFERENCE_REQUESTED, ATOMS_INFERRED, VERIFY_REQUESTED, BATCH_COMPLETED, RECONCILIATION_STATUS);

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }
}
