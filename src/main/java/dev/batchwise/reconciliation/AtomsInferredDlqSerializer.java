package dev.batchwise.reconciliation;

import org.apache.kafka.common.serialization.Serializer;

/** Writes a dead-lettered {@code atoms.inferred} record as it was received, byte for byte. */
public class AtomsInferredDlqSerializer implements Serializer<AtomsInferredRecord> {

    @Override
    public byte[] serialize(String topic, AtomsInferredRecord record) {
        return record == null ? null : record.value();
    }
}
