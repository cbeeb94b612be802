package dev.batchwise.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * A quality answer, parsed: a score 0-100 and a list of issues, or the reason it could not be read. This takes
 * the plain JSON object only; an answer that is anything else is recorded as a parse issue, never a failed run.
 *
 * @param score      null when the answer could not be read
 * @param parseIssue null when it could
 */
public record QualityAnswer(Integer score, List<String> issues, String parseIssue) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static QualityAnswer parse(String content) {
        if (content == null || content.isBlank()) {
            return unreadable("the answer is empty");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(content.strip());
        } catch (JsonProcessingException e) {
            return unreadable("the answer is not a JSON object: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            return unreadable("the answer is not a JSON object");
        }
        JsonNode score = tree.get("score");
        if (score == null || !score.isNumber()) {
            return unreadable("the answer has no numeric \"score\"");
        }
        double value = score.asDouble();
        if (value < 0 || value > 100) {
            return unreadable("score " + score.asText() + " is outside 0-100");
        }
        List<String> issues = new ArrayList<>();
        JsonNode list = tree.get("issues");
        if (list != null && list.isArray()) {
            list.forEach(issue -> issues.add(issue.isTextual() ? issue.asText() : issue.toString()));
        }
        return new QualityAnswer((int) Math.round(value), List.copyOf(issues), null);
    }

    private static QualityAnswer unreadable(String why) {
        return new QualityAnswer(null, List.of(), why);
    }
}
