package dev.batchwise.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.scoring.AnswerRecovery.Recovered;
import dev.batchwise.scoring.QualityAnswer.Repair;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Atom inference as the batch and the real-time path share it: the request for a test, the reading of its answer
 * (a JSON array of atoms, with the recovery of quality answers) and each atom's stable tempId. Pure functions.
 */
public final class AtomInferenceService {

    /** Categories an atom may have; another one is kept as written, lower-cased (a sorting label, not a gate). */
    public static final Set<String> CATEGORIES = Set.of("functional", "security", "performance", "usability",
            "accessibility", "reliability");

    private AtomInferenceService() {
    }

    /** The inference request of a test; the system prompt is the same for every test and marked cacheable. */
    public static LlmRequest request(String customId, String testId, String name, String context) {
        return new LlmRequest(customId, InferencePrompt.SYSTEM, InferencePrompt.user(testId, name, context), null,
                InferencePrompt.MAX_TOKENS, null, true);
    }

    /**
     * The tempId of the {@code index}th atom inferred from test {@code testId} in run {@code runId}: the same for a
     * re-run, different across runs and tests. A digest, not the ids themselves: test ids can be long and hold any
     * character, tempIds are short and safe in a URL.
     */
    public static String tempId(String runId, String testId, int index) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {runId, testId, Integer.toString(index)}) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return "inf-" + HexFormat.of().formatHex(sha.digest(), 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads an answer; never throws. Each entry must be an object with a non-blank string {@code description}; a
     * missing or blank {@code category} reads as {@code functional}. Entries that are not are left out and named in
     * the parse issue; the others are kept. No readable entry at all: no atoms, with the reason.
     */
    public static InferenceAnswer read(String content) {
        if (content == null || content.isBlank()) {
            return new InferenceAnswer(List.of(), "the answer is empty", Set.of());
        }
        Recovered recovered = AnswerRecovery.recoverArray(content);
        if (recovered.object() == null) {
            return new InferenceAnswer(List.of(), recovered.problem(), recovered.repairs());
        }
        List<InferenceAnswer.Atom> atoms = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        JsonNode array = recovered.object();
        for (int i = 0; i < array.size(); i++) {
            JsonNode entry = array.get(i);
            JsonNode description = entry.get("description");
            if (!entry.isObject() || description == null || !description.isTextual() || description.asText().isBlank()) {
                problems.add("entry " + i + " has no \"description\"");
                continue;
            }
            JsonNode category = entry.get("category");
            String written = category == null || !category.isTextual() || category.asText().isBlank() ? "functional"
                    : category.asText().strip().toLowerCase(Locale.ROOT);
            atoms.add(new InferenceAnswer.Atom(i, description.asText().strip(), written));
        }
        Set<Repair> repairs = recovered.repairs();
        if (atoms.isEmpty()) {
            return new InferenceAnswer(List.of(), array.isEmpty() ? "the answer lists no atoms"
                    : "no entry is an atom: " + String.join("; ", problems), repairs);
        }
        return new InferenceAnswer(atoms, problems.isEmpty() ? null
                : "left out: " + String.join("; ", problems), repairs);
    }
}
