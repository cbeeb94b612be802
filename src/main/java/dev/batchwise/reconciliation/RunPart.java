package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.messaging.InvalidRecordException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One record of a run as both intakes read it (atoms on {@code atoms.inferred}, tests on {@code inference.requested}):
 * its part of the run (a whole run is part 1 of 1), its entries as sent, its options; and what both check the same
 * way: the part numbers, the entries' ids, the stored run's parts total and options, a stored part's digest.
 *
 * @param items what the entries are ({@link RunParts#ATOMS}, {@link RunParts#TESTS}), for reasons
 */
record RunPart(String runId, int part, int parts, JsonNode entries, JsonNode options, RunParts.Items items) {

    /** Checks the part numbers and that no entry id comes twice; an {@link InvalidRecordException} names the fault. */
    static RunPart of(String runId, Integer part, Integer parts, JsonNode entries, JsonNode options,
                      List<String> ids, RunParts.Items items) {
        if ((part == null) != (parts == null)) {
            throw new InvalidRecordException("part and parts go together (run '" + runId + "' has part=" + part
                    + ", parts=" + parts + "); a whole run leaves both out");
        }
        int p = part == null ? 1 : part;
        int total = parts == null ? 1 : parts;
        if (p > total) {
            throw new InvalidRecordException("run '" + runId + "' part " + p + " of " + total
                    + ": part must not be more than parts");
        }
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (!seen.add(id)) {
                throw new InvalidRecordException(items.field() + ": " + items.idField() + " '" + id
                        + "' appears more than once in run '" + runId + "' part " + p + " of " + total);
            }
        }
        return new RunPart(runId, p, total, entries, options, items);
    }

    /** For the log. */
    String describe() {
        return "run=" + runId + (parts > 1 ? " part=" + part + "/" + parts : "");
    }

    /** For reasons: names the run and the part. */
    String name() {
        return (items == RunParts.TESTS ? "inference run '" : "run '") + runId + "' part " + part + " of " + parts;
    }

    String optionsText() {
        return options == null || options.isNull() ? null : options.toString();
    }

    /** Each entry as sent, serialized once: stored as its payload, and digested. */
    String[] payloads() {
        String[] payloads = new String[entries.size()];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = entries.get(i).toString();
        }
        return payloads;
    }

    /** The part's digest, of its entries and options: an identical redelivery has the same one. */
    String contentHash(String[] payloads) {
        return PartDigest.of(payloads, options);
    }

    /**
     * Against the stored run: the same parts total ({@code storedParts}) and options ({@code sameOptions}, as
     * PostgreSQL compared them; {@code storedOptions} for the reason).
     */
    void matches(int storedParts, boolean sameOptions, String storedOptions) {
        if (storedParts != parts) {
            throw new InvalidRecordException(name() + ": the run has " + storedParts + " parts, this record says " + parts);
        }
        if (!sameOptions) {
            throw new InvalidRecordException(name() + ": options " + orNone(optionsText()) + " differ from the run's "
                    + orNone(storedOptions) + "; every part carries the run's options");
        }
    }

    /** Why this part is refused when its number is stored with another digest ({@code stored} entries). */
    InvalidRecordException changed(int stored) {
        return new InvalidRecordException(name() + " was already received with other " + items.field() + " (" + stored
                + " stored, " + entries.size() + " in this record); a part's " + items.field() + " cannot change");
    }

    /**
     * The part is stored already (in {@code table}, with its entry count in {@code countColumn}): the same part
     * again is a no-op (null), another one is refused by name.
     */
    Uni<Void> known(SqlConnection tx, String table, String countColumn, String hash) {
        return tx.preparedQuery("select content_hash, " + countColumn + " as entries from " + table
                        + " where run_id = $1 and part = $2")
                .execute(Tuple.of(runId, part)).map(rows -> {
                    Row row = rows.iterator().next();
                    if (!hash.equals(row.getString("content_hash"))) {
                        throw changed(row.getInteger("entries"));
                    }
                    Log.infof("%s received again with the same %s: nothing to do", describe(), items.field());
                    return null;
                });
    }

    private static String orNone(String options) {
        return options == null ? "(none)" : options;
    }
}
