package dev.batchwise.reconciliation;

import dev.batchwise.messaging.JsonRecords;
import io.quarkus.arc.Arc;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads {@code atoms.inferred} values on the consumer's polling thread, which runs ahead of the handling (up to a
 * poll's records, {@code max.poll.records}): the next part is parsed, checked and encoded while the one before is
 * stored. It never throws: an unreadable record is handed on with its fault, so it reaches the dead-letter topic with
 * its reason in its turn, through the channel's failure strategy, like any other invalid record.
 */
public class AtomsInferredDeserializer implements Deserializer<AtomsInferredRecord> {

    private JsonRecords records;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Kafka instantiates deserializers itself; the reader, with the application's mapper and validator, is a bean
        records = Arc.container().instance(JsonRecords.class).get();
    }

    @Override
    public AtomsInferredRecord deserialize(String topic, byte[] value) {
        try {
            return new AtomsInferredRecord(value, EncodedPart.of(records, value), null);
        } catch (RuntimeException e) {
            return new AtomsInferredRecord(value, null, e);
        }
    }
}
