package dev.batchwise.reconciliation;

import dev.batchwise.database.Database;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.platform.TimeOrderedIds;
import dev.batchwise.status.Outbox;
import dev.batchwise.status.RunStage;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * One part of a run in one JDBC transaction, blocking, so only ever called on a worker thread: the run row locked
 * (it orders the run's parts, whichever instance stores them), the part's row insert-if-absent with its digest,
 * its atoms by {@code COPY}, the run's totals. The reactive client has no {@code COPY}, and a multi-row
 * {@code INSERT ... SELECT FROM unnest(...)} went through PostgreSQL's executor row by row at about half of
 * {@code COPY}'s rate into the same indexes (ScaleBenchmark). Choosing the mode and preparing the run is left to
 * the caller, in a transaction of its own, once a part finds the run whole and still {@code RECEIVED}.
 */
@ApplicationScoped
class PartStore {

    /** COPY data per chunk, and per write. */
    private static final int COPY_BUFFER = 64 * 1024;

    private final Database database;

    PartStore(Database database) {
        this.database = database;
    }

    /**
     * What the transaction found. {@code stored}: this part was new and is now in; false for an identical
     * redelivery. {@code whole}: every part is in and the run still waits for its mode (also after a crash between
     * the last part's commit and its preparation: the redelivered part finds it so).
     */
    record Outcome(boolean stored, int partsReceived, int atomCount, boolean whole) {
    }

    Outcome store(EncodedPart part) throws SQLException {
        try (Connection connection = database.jdbc().getConnection()) {
            connection.setAutoCommit(false);
            try {
                Outcome outcome = store(connection, part);
                connection.commit();
                return outcome;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private Outcome store(Connection connection, EncodedPart encoded) throws SQLException {
        Intake<AtomsInferred> intake = encoded.intake();
        String hash = encoded.hash();
        String runId = intake.runId();
        try (PreparedStatement insert = connection.prepareStatement("insert into reconciliation_runs (run_id, status,"
                + " atom_count, parts, parts_received, options) values (?, 'RECEIVED', 0, ?, 0, ?::text::jsonb)"
                + " on conflict (run_id) do nothing")) {
            insert.setString(1, runId);
            insert.setInt(2, intake.parts());
            insert.setString(3, intake.of().optionsText());
            insert.executeUpdate();
        }
        int partsReceived;
        int atomCount;
        boolean received;
        try (PreparedStatement lock = connection.prepareStatement("select parts, parts_received, atom_count, stage,"
                + " status = 'RECEIVED' as received, options::text as options,"
                + " options is not distinct from ?::text::jsonb as same_options"
                + " from reconciliation_runs where run_id = ? for update")) {
            lock.setString(1, intake.of().optionsText());
            lock.setString(2, runId);
            try (ResultSet run = lock.executeQuery()) {
                run.next();
                if (RunStage.INFERRING.name().equals(run.getString("stage"))) {
                    throw new InvalidRecordException(intake.of().name() + ": the run is still inferring its atoms from"
                            + " tests (inference.requested); Batchwise publishes them when it is done");
                }
                intake.of().matches(run.getInt("parts"), run.getBoolean("same_options"), run.getString("options"));
                partsReceived = run.getInt("parts_received");
                atomCount = run.getInt("atom_count");
                received = run.getBoolean("received");
            }
        }
        int atoms = encoded.atomCount();
        try (PreparedStatement part = connection.prepareStatement("insert into run_parts (run_id, part, content_hash,"
                + " atom_count, description_octets, category_octets) values (?, ?, ?, ?, ?, ?)"
                + " on conflict (run_id, part) do nothing")) {
            part.setString(1, runId);
            part.setInt(2, intake.of().part());
            part.setString(3, hash);
            part.setInt(4, atoms);
            part.setInt(5, encoded.rows().descriptionOctets());
            part.setInt(6, encoded.rows().categoryOctets());
            if (part.executeUpdate() == 0) {
                known(connection, intake, hash);
                return new Outcome(false, partsReceived, atomCount, received && partsReceived == intake.parts());
            }
        }
        copyAtoms(connection, encoded);
        try (PreparedStatement totals = connection.prepareStatement("update reconciliation_runs set parts_received ="
                + " parts_received + 1, atom_count = atom_count + ?, updated_at = now() where run_id = ?"
                + " returning parts_received, atom_count")) {
            totals.setInt(1, atoms);
            totals.setString(2, runId);
            try (ResultSet run = totals.executeQuery()) {
                run.next();
                partsReceived = run.getInt("parts_received");
                atomCount = run.getInt("atom_count");
            }
        }
        boolean whole = partsReceived == intake.parts();
        if (!whole) {
            // the last part's status change is announced by the transaction that prepares the run
            Outbox.statusChanged(connection, runId);
        }
        return new Outcome(true, partsReceived, atomCount, whole);
    }

    /** The part is stored already: the same part again is a no-op, another one is refused by name. */
    private static void known(Connection connection, Intake<AtomsInferred> intake, String hash) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("select content_hash, atom_count from run_parts"
                + " where run_id = ? and part = ?")) {
            select.setString(1, intake.runId());
            select.setInt(2, intake.of().part());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                if (!hash.equals(row.getString("content_hash"))) {
                    throw intake.of().changed(row.getInt("atom_count"));
                }
            }
        }
    }

    /**
     * The part's atoms by COPY, ids in time order (they land at the edge of the primary key). A plain copy: the unique
     * key refuses a tempId another part has, and the transaction rolls back. The run is not checked per row (V11): it
     * was inserted or found, and locked, above.
     */
    private static void copyAtoms(Connection connection, EncodedPart part) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("copy atoms (id, run_id, temp_id,"
                + " description, category, payload) from stdin");
        try {
            for (byte[] rows : part.rows().chunks()) {
                copy.writeToCopy(rows, 0, rows.length);
            }
            copy.endCopy();
        } catch (SQLException e) {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException cancel) {
                    e.addSuppressed(cancel);
                }
            }
            String taken = e instanceof PSQLException p ? takenTempId(p) : null;
            if (taken != null) {
                throw new InvalidRecordException(part.intake().of().name() + ": tempId '" + taken
                        + "' is already stored by another part of the run");
            }
            throw e;
        }
    }

    /**
     * A part's atoms as {@code COPY} rows, in chunks of {@link #COPY_BUFFER}, with its longest description and
     * category in octets (what {@code octet_length} would say, for the run's preparation).
     */
    record Rows(List<byte[]> chunks, int descriptionOctets, int categoryOctets) {
    }

    /**
     * A part's atoms as {@code COPY} rows (text format), each with a new time-ordered id, and its payload as sent:
     * encoded before the part's transaction, so it holds the run's lock for the database work alone. In chunks, not
     * one array: a part's rows (about 600 KB) in one array would be a humongous object for G1 at a 512 MB heap (over
     * half its 1 MB region), and each one starts a concurrent cycle while the heap is full.
     */
    static Rows rows(AtomsInferred event, String[] payloads) {
        String runId = escape(event.runId());
        List<byte[]> chunks = new ArrayList<>();
        ByteArrayOutputStream chunk = new ByteArrayOutputStream(COPY_BUFFER + 4096);
        StringBuilder line = new StringBuilder(512);
        int descriptionOctets = 0;
        int categoryOctets = 0;
        for (int i = 0; i < payloads.length; i++) {
            AtomsInferred.InferredAtom atom = event.atoms().get(i);
            descriptionOctets = Math.max(descriptionOctets, utf8Length(atom.description()));
            if (atom.category() != null) {
                categoryOctets = Math.max(categoryOctets, utf8Length(atom.category()));
            }
            line.setLength(0);
            line.append(TimeOrderedIds.next()).append('\t').append(runId).append('\t').append(escape(atom.tempId()))
                    .append('\t').append(escape(atom.description())).append('\t')
                    .append(atom.category() == null ? "\\N" : escape(atom.category())).append('\t')
                    .append(escape(payloads[i])).append('\n');
            chunk.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
            if (chunk.size() >= COPY_BUFFER) {
                chunks.add(chunk.toByteArray());
                chunk.reset();
            }
        }
        if (chunk.size() > 0) {
            chunks.add(chunk.toByteArray());
        }
        return new Rows(chunks, descriptionOctets, categoryOctets);
    }

    /** The length of {@code text} in UTF-8 as {@code getBytes} encodes it, without encoding it. */
    static int utf8Length(String text) {
        int octets = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                octets++;
            } else if (c < 0x800) {
                octets += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                octets += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                octets++; // a lone surrogate is encoded as '?'
            } else {
                octets += 3;
            }
        }
        return octets;
    }

    /** COPY's text format: backslash, tab, newline and carriage return escaped; nothing else is special. */
    static String escape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                return escapeFrom(value, i);
            }
        }
        return value;
    }

    private static String escapeFrom(String value, int from) {
        StringBuilder out = new StringBuilder(value.length() + 16).append(value, 0, from);
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The tempId of a unique violation of {@code atoms_run_temp_id_key}, from its detail
     * {@code Key (run_id, temp_id)=(<runId>, <tempId>) already exists.} (runIds have no ", "); null for any other
     * failure.
     */
    private static String takenTempId(PSQLException e) {
        ServerErrorMessage error = e.getServerErrorMessage();
        if (!"23505".equals(e.getSQLState()) || error == null || !"atoms_run_temp_id_key".equals(error.getConstraint())) {
            return null;
        }
        String detail = error.getDetail() == null ? "" : error.getDetail();
        int from = detail.indexOf(", ", detail.indexOf(")=(") + 1);
        int to = detail.lastIndexOf(") already exists");
        return from < 0 || to < from ? "?" : detail.substring(from + 2, to);
    }
}
