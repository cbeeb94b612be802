package dev.batchwise.reconciliation;

import dev.batchwise.messaging.JsonRecords;

/**
 * A part of a run read and made ready for {@link PartStore}: the record checked, its digest, and its atoms already
 * as {@code COPY} rows (ids drawn here, in the order parts are read). All the CPU work of a part, done before its
 * transaction: the consumer does it on its polling thread for the parts it has fetched ahead of the one being
 * stored ({@link AtomsInferredDeserializer}), so it overlaps that part's {@code COPY} instead of following it.
 *
 * @param rows the atoms in {@code COPY}'s text format, UTF-8, in chunks, and the part's widest texts
 */
record EncodedPart(Intake<AtomsInferred> intake, String hash, PartStore.Rows rows) {

    /** Reads, checks and encodes a part; an {@link dev.batchwise.messaging.InvalidRecordException} names a fault. */
    static EncodedPart of(JsonRecords records, byte[] value) {
        Intake<AtomsInferred> intake = VerifyNode.parse(records, records.tree(value));
        String[] payloads = intake.of().payloads();
        return new EncodedPart(intake, intake.of().contentHash(payloads), PartStore.rows(intake.event(), payloads));
    }

    int atomCount() {
        return intake.event().atoms().size();
    }
}
