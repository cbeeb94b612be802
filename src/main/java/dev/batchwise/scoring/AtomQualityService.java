package dev.batchwise.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.scoring.AnswerRecovery.Recovered;
import dev.batchwise.scoring.QualityAnswer.Repair;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Atom quality scoring as the batch and the real-time path share it: the request for an atom, and the reading of
 * the answer. Pure functions: the same atom always gets the same request, the same answer the same reading.
 */
public final class AtomQualityService {

    /** A score written as a string is read only when it is a plain decimal number, e.g. {@code "85"}. */
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    private AtomQualityService() {
    }

    /**
     * The quality request of an atom. The system prompt is the same for every atom and marked cacheable, in both
     * paths, so the provider can reuse it when it is long enough for its cache.
     */
    public static LlmRequest request(String customId, String description, String category) {
        return new LlmRequest(customId, QualityPrompt.SYSTEM, QualityPrompt.user(description, category), null,
                QualityPrompt.MAX_TOKENS, null, true);
    }

    /**
     * Reads an answer: never throws, whatever the model wrote. See {@link AnswerRecovery} for what is repaired and
     * what is refused. The score: a number, or a string holding one; fractions round half up; outside 0-100 it is
     * clamped and the parse issue says so (the model broke the contract, a reviewer should know). Issues: a list of
     * strings; other entries are written as JSON, nulls dropped; a single value is a list of one; none is empty.
     */
    public static QualityAnswer read(String content) {
        if (content == null || content.isBlank()) {
            return QualityAnswer.unreadable("the answer is empty", Set.of());
        }
        Recovered recovered = AnswerRecovery.recover(content);
        if (recovered.object() == null) {
            return QualityAnswer.unreadable(recovered.problem(), recovered.repairs());
        }
        Set<Repair> repairs = EnumSet.noneOf(Repair.class);
        repairs.addAll(recovered.repairs());
        JsonNode scoreNode = recovered.object().get("score");
        BigDecimal value;
        String written = scoreNode.asText().strip();
        if (scoreNode.isNumber()) {
            value = scoreNode.decimalValue();
        } else if (scoreNode.isTextual() && NUMBER.matcher(written).matches()) {
            value = new BigDecimal(written);
            repairs.add(Repair.SCORE_AS_STRING);
        } else {
            return QualityAnswer.unreadable("\"score\" is not a number (was " + scoreNode + ")", repairs);
        }
        String note = null;
        int score;
        if (value.compareTo(BigDecimal.ZERO) < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0) {
            score = value.signum() < 0 ? 0 : 100;
            note = "score " + written + " is outside 0-100; clamped to " + score;
        } else {
            score = value.setScale(0, RoundingMode.HALF_UP).intValue();
        }
        return new QualityAnswer(score, issues(recovered.object().get("issues"), repairs), note, repairs);
    }

    private static List<String> issues(JsonNode node, Set<Repair> repairs) {
        List<String> issues = new ArrayList<>();
        if (node == null || node.isNull()) {
            return issues;
        }
        if (!node.isArray()) {
            repairs.add(Repair.ISSUES_NOT_A_LIST);
            add(issues, node);
            return issues;
        }
        node.forEach(entry -> add(issues, entry));
        return issues;
    }

    private static void add(List<String> issues, JsonNode entry) {
        if (entry.isNull() || entry.isTextual() && entry.asText().isBlank()) {
            return;
        }
        issues.add(entry.isTextual() ? entry.asText() : entry.toString());
    }
}
