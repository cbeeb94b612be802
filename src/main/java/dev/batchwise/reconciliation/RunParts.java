package dev.batchwise.reconciliation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.messaging.InvalidRecordException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a run into {@code atoms.inferred} record values of at most {@code maxAtoms} atoms and {@code maxBytes}
 * bytes each, sized by the bytes each atom serializes to (a description can be long), atoms in the order given:
 * {@code {"runId", "part", "parts", "atoms", "options"}}, the options in every part. The tests of an
 * {@code inference.requested} run are split the same way ({@link #TESTS}). Pure, so it is tested alone.
 */
final class RunParts {

    private static final byte[] RUN_ID = bytes("{\"runId\":");
    private static final byte[] PART = bytes(",\"part\":");
    private static final byte[] PARTS = bytes(",\"parts\":");
    private static final byte[] OPTIONS = bytes("],\"options\":");
    private static final byte[] END_ATOMS = bytes("]");
    private static final byte[] END = bytes("}");
    /** Room for the largest part number and total. */
    private static final int NUMBER_DIGITS = String.valueOf(AtomsInferred.MAX_PARTS).length();

    /** What a run's parts carry: the list's field in the record, and the field that names each entry. */
    record Items(String field, String idField) {
    }

    static final Items ATOMS = new Items("atoms", "tempId");
    static final Items TESTS = new Items("tests", "testId");

    private RunParts() {
    }

    static List<byte[]> split(ObjectMapper mapper, String runId, List<JsonNode> atoms, JsonNode options,
                              int maxAtoms, int maxBytes) {
        return split(mapper, runId, ATOMS, atoms, options, maxAtoms, maxBytes);
    }

    /**
     * The record values, part 1 first. Refuses (naming it) an atom or options too large for a part of
     * {@code maxBytes}, and a run that would need more than {@link AtomsInferred#MAX_PARTS} parts.
     */
    static List<byte[]> split(ObjectMapper mapper, String runId, Items items, List<JsonNode> atoms, JsonNode options,
                              int maxAtoms, int maxBytes) {
        byte[] listStart = bytes(",\"" + items.field() + "\":[");
        byte[] runIdJson = write(mapper, runId);
        byte[] optionsJson = options == null || options.isNull() ? null : write(mapper, options);
        int envelope = RUN_ID.length + runIdJson.length + PART.length + PARTS.length + 2 * NUMBER_DIGITS
                + listStart.length + (optionsJson == null ? END_ATOMS.length : OPTIONS.length + optionsJson.length)
                + END.length;
        int room = maxBytes - envelope;
        if (room < 2) {
            throw new InvalidRecordException("options are " + (optionsJson == null ? 0 : optionsJson.length)
                    + " bytes serialized: with them a part of at most " + maxBytes + " bytes has no room for "
                    + items.field());
        }
        List<byte[]> serialized = new ArrayList<>(atoms.size());
        List<Integer> firstOfPart = new ArrayList<>();
        int used = 0;
        for (int i = 0; i < atoms.size(); i++) {
            byte[] atom = write(mapper, atoms.get(i));
            if (atom.length > room) {
                throw new InvalidRecordException(items.field() + "[" + i + "] (" + items.idField() + " '"
                        + atoms.get(i).path(items.idField()).asText() + "') is " + atom.length
                        + " bytes serialized; a part of at most " + maxBytes + " bytes holds " + items.field()
                        + " of " + room + " bytes at most");
            }
            int cost = atom.length + (used == 0 ? 0 : 1);
            boolean full = i - (firstOfPart.isEmpty() ? 0 : firstOfPart.get(firstOfPart.size() - 1)) == maxAtoms;
            if (firstOfPart.isEmpty() || full || used + cost > room) {
                firstOfPart.add(i);
                cost = atom.length;
                used = 0;
            }
            used += cost;
            serialized.add(atom);
        }
        int parts = firstOfPart.size();
        if (parts > AtomsInferred.MAX_PARTS) {
            throw new InvalidRecordException("the run needs " + parts + " parts of at most " + maxBytes
                    + " bytes, more than " + AtomsInferred.MAX_PARTS);
        }
        List<byte[]> values = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = firstOfPart.get(p);
            int to = p + 1 < parts ? firstOfPart.get(p + 1) : atoms.size();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, envelope + room));
            out.writeBytes(RUN_ID);
            out.writeBytes(runIdJson);
            out.writeBytes(PART);
            out.writeBytes(bytes(String.valueOf(p + 1)));
            out.writeBytes(PARTS);
            out.writeBytes(bytes(String.valueOf(parts)));
            out.writeBytes(listStart);
            for (int i = from; i < to; i++) {
                if (i > from) {
                    out.write(',');
                }
                out.writeBytes(serialized.get(i));
                serialized.set(i, null); // the part holds it now: the run is not kept twice
            }
            if (optionsJson == null) {
                out.writeBytes(END_ATOMS);
            } else {
                out.writeBytes(OPTIONS);
                out.writeBytes(optionsJson);
            }
            out.writeBytes(END);
            values.add(out.toByteArray());
        }
        return values;
    }

    private static byte[] write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serializable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
