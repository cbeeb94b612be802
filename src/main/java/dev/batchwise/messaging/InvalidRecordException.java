package dev.batchwise.messaging;

/**
 * A Kafka record that can never be processed: not JSON, or a field missing or out of range. Its message
 * names the problem and becomes the {@code dead-letter-reason} header on the record's {@code .dlq} topic.
 */
public class InvalidRecordException extends RuntimeException {

    public InvalidRecordException(String message) {
        super(message, null, false, false);
    }
}
