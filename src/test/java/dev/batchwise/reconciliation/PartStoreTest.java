package dev.batchwise.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** COPY's text format, as the intake writes a part's atoms: plain JUnit, the escaping is pure. */
class PartStoreTest {

    @Test
    void onlyBackslashTabNewlineAndCarriageReturnAreEscaped() {
        String plain = "Invoice 10000 matches \"PO\" 70000, 5 units; ünïcödé";
        assertSame(plain, PartStore.escape(plain), "nothing to escape: the same string, not a copy");
        assertEquals("a\\\\b\\tc\\nd\\re", PartStore.escape("a\\b\tc\nd\re"));
        // a JSON payload keeps its own escapes: COPY gets them doubled and stores them as sent
        assertEquals("{\"d\":\"line\\\\nnext \\\\\"q\\\\\"\"}", PartStore.escape("{\"d\":\"line\\nnext \\\"q\\\"\"}"));
        assertEquals("\\\\N", PartStore.escape("\\N"), "a literal backslash-N is not read as null");
    }

    @Test
    void aPartsRowsAreEncodedInChunksThatJoinIntoOneLinePerAtom() {
        int atoms = 2_000;
        List<AtomsInferred.InferredAtom> list = new ArrayList<>();
        String[] payloads = new String[atoms];
        for (int i = 0; i < atoms; i++) {
            list.add(new AtomsInferred.InferredAtom("a-" + i, "line one\nline two of atom " + i, i % 2 == 0 ? null : "c"));
            payloads[i] = "{\"tempId\":\"a-" + i + "\",\"n\":" + i + "}";
        }
        PartStore.Rows rows = PartStore.rows(new AtomsInferred("run-1", 1, 1, list, null), payloads);
        List<byte[]> chunks = rows.chunks();
        assertEquals(("line one\nline two of atom " + (atoms - 1)).length(), rows.descriptionOctets());
        assertEquals(1, rows.categoryOctets());

        assertTrue(chunks.size() > 1, "about 180 KB of rows: more than one chunk");
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (byte[] chunk : chunks) {
            // no chunk near G1's humongous size (half a 1 MB region): at most one line over the chunk size
            assertTrue(chunk.length < 80 * 1024, () -> "a chunk of " + chunk.length + " bytes");
            joined.writeBytes(chunk);
        }
        String[] lines = joined.toString(StandardCharsets.UTF_8).split("\n", -1);
        assertEquals(atoms + 1, lines.length, "one line per atom, each ended by a newline");
        assertEquals("", lines[atoms]);
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < atoms; i++) {
            String[] fields = lines[i].split("\t", -1);
            assertEquals(6, fields.length, lines[i]);
            assertTrue(ids.add(UUID.fromString(fields[0])), "a new id per atom");
            assertEquals("run-1", fields[1]);
            assertEquals("a-" + i, fields[2]);
            assertEquals("line one\\nline two of atom " + i, fields[3], "the newline escaped");
            assertEquals(i % 2 == 0 ? "\\N" : "c", fields[4], "no category is COPY's null");
            assertEquals(payloads[i], fields[5]);
        }
    }

    @Test
    void octetsAreCountedAsUtf8EncodesThem() {
        for (String text : List.of("", "plain", "ünïcödé", "€ 10", "emoji \uD83D\uDE00 pair", "lone \uD83D high")) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, PartStore.utf8Length(text), text);
        }
    }
}
