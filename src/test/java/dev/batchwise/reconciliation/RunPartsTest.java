package dev.batchwise.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.messaging.InvalidRecordException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run split into atoms.inferred records: bounded by atoms and by bytes, atoms in order, every part whole. */
class RunPartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void partsHoldAtMostMaxAtomsAndTogetherEveryAtomInOrder() throws IOException {
        List<JsonNode> atoms = atoms(2_500, 40);
        List<byte[]> parts = RunParts.split(JSON, "run-1", atoms, null, 1_000, 512 * 1024);

        assertEquals(3, parts.size());
        List<JsonNode> back = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
            JsonNode part = JSON.readTree(parts.get(p));
            assertEquals("run-1", part.get("runId").asText());
            assertEquals(p + 1, part.get("part").asInt());
            assertEquals(3, part.get("parts").asInt());
            assertTrue(part.get("atoms").size() <= 1_000, "at most 1,000 atoms: " + part.get("atoms").size());
            assertTrue(!part.has("options"), "no options when the run has none");
            part.get("atoms").forEach(back::add);
        }
        assertEquals(atoms, back, "every atom once, in the order given, fields as sent");
    }

    @Test
    void longDescriptionsMakeMorePartsEachUnderMaxBytes() throws IOException {
        // about 2 KB per atom: 2,500 atoms are about 5 MB, so the byte bound decides, not the count
        List<JsonNode> atoms = atoms(2_500, 2_000);
        ObjectNode options = JSON.createObjectNode().put("mode", "batch").put("provider", "openai");
        int maxBytes = 512 * 1024;
        List<byte[]> parts = RunParts.split(JSON, "run-2", atoms, options, 5_000, maxBytes);

        int total = 0;
        for (byte[] value : parts) {
            assertTrue(value.length <= maxBytes, value.length + " bytes > " + maxBytes);
            JsonNode part = JSON.readTree(value);
            assertEquals(options, part.get("options"), "every part carries the run's options");
            assertEquals(parts.size(), part.get("parts").asInt());
            total += part.get("atoms").size();
        }
        assertEquals(2_500, total);
        assertTrue(parts.size() >= 10, "about 5 MB in parts of 512 KiB: " + parts.size());
        // full parts: only the last one may be much smaller than the bound
        for (int p = 0; p < parts.size() - 1; p++) {
            assertTrue(parts.get(p).length > maxBytes - 2_100, "part " + (p + 1) + " is " + parts.get(p).length);
        }
    }

    @Test
    void aSmallRunIsOnePart() throws IOException {
        List<byte[]> parts = RunParts.split(JSON, "run-3", atoms(3, 10), null, 5_000, 512 * 1024);
        assertEquals(1, parts.size());
        JsonNode part = JSON.readTree(parts.get(0));
        assertEquals(1, part.get("part").asInt());
        assertEquals(1, part.get("parts").asInt());
    }

    @Test
    void anAtomTooLargeForAPartIsRefusedByName() {
        List<JsonNode> atoms = atoms(3, 10);
        ((ObjectNode) atoms.get(1)).put("description", "x".repeat(600 * 1024));
        InvalidRecordException refused = assertThrows(InvalidRecordException.class,
                () -> RunParts.split(JSON, "run-4", atoms, null, 5_000, 512 * 1024));
        assertTrue(refused.getMessage().startsWith("atoms[1] (tempId 'a-1') is 6144"), refused.getMessage());
    }

    private static List<JsonNode> atoms(int n, int descriptionLength) {
        List<JsonNode> atoms = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String description = ("Atom " + i + " é ").repeat(descriptionLength / 6 + 1)
                    .substring(0, descriptionLength);
            atoms.add(JSON.createObjectNode().put("tempId", "a-" + i).put("description", description)
                    .put("category", "functional").put("extra", i));
        }
        return atoms;
    }
}
