package dev.batchwise.messaging;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How a consumer handles one record: a failure that is not the record's fault (database, broker, provider) is
 * retried with backoff for as long as it takes, so the record is neither dead-lettered nor committed before it
 * went through; only an {@link InvalidRecordException} ends the handling, and the channel's dead-letter strategy
 * moves the record to {@code <topic>.dlq} with its reason.
 */
public final class RecordHandling {

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private RecordHandling() {
    }

    /**
     * Runs {@code work} until it succeeds or finds the record invalid.
     *
     * @param topic  the topic the record came from, for the log
     * @param record what the record is about ({@code run=...}), for the log
     */
    public static Uni<Void> untilThrough(String topic, String record, Supplier<Uni<Void>> work) {
        return Uni.createFrom().deferred(work::get)
                .onFailure(RecordHandling::transientFailure).invoke(failure ->
                        Log.warnf("%s %s not processed yet, retrying: %s", record, topic, failure.toString()))
                .onFailure(RecordHandling::transientFailure).retry()
                .withBackOff(FIRST_BACKOFF, MAX_BACKOFF).indefinitely()
                .onFailure().invoke(failure -> Log.warnf("%s %s record goes to the dead-letter topic: %s", record,
                        topic, failure.getMessage()));
    }

    /** Reads the record, then handles it as {@link #untilThrough}; a record that cannot be read is invalid at once. */
    public static <T> Uni<Void> handle(String topic, Supplier<T> read, java.util.function.Function<T, String> about,
                                       java.util.function.Function<T, Uni<Void>> work) {
        return Uni.createFrom().item(read::get)
                .onFailure().invoke(failure -> Log.warnf("%s record goes to the dead-letter topic: %s", topic,
                        failure.getMessage()))
                .flatMap(value -> untilThrough(topic, about.apply(value), () -> work.apply(value)));
    }

    private static boolean transientFailure(Throwable failure) {
        return !(failure instanceof InvalidRecordException);
    }
}
