package dev.batchwise.scoring;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.scoring.QualityAnswer.Repair;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the quality object in a model's answer, doing only what cannot change what the model said. Accepted,
 * because models do them and each has one reading:
 * <ul>
 *   <li>a Markdown fence around the object ({@code ```json ... ```}, with or without a language tag);</li>
 *   <li>prose before or after it: the first balanced object with a {@code score} counts (braces inside strings
 *   are not counted), so prose with braces of its own does not hide it; an object nested in another is a field,
 *   never the answer ({@code {"result": {"score": 80}}} has no score);</li>
 *   <li>a trailing comma before {@code }} or {@code ]};</li>
 *   <li>single-quoted keys and strings (Python-dict style), read as double-quoted ones.</li>
 * </ul>
 * Refused, and named in the parse issue: an object cut short (closing it would invent an ending: a cut
 * {@code "score": 8} may have been 85), unquoted keys or bare words, comments, missing commas, NaN, leading zeros,
 * and duplicate keys (two scores have no one reading).
 */
final class AnswerRecovery {

    /** The object and what was done to find it, or (object null) why there is none. */
    record Recovered(JsonNode object, Set<Repair> repairs, String problem) {
    }

    /** One balanced object from a {@code {}: its text made strict, and where it ended; json null when cut short. */
    private record Span(String json, int end, Set<Repair> repairs) {
    }

    /** An opening fence with an optional language tag; the body runs to the closing fence or, cut short, the end. */
    private static final Pattern FENCE = Pattern.compile("```[A-Za-z0-9_+-]*[ \\t]*\\r?\\n?(.*?)(?:```|\\z)",
            Pattern.DOTALL);

    /**
     * Strict JSON; duplicate keys are an error instead of the last one silently winning; decimals kept exact, so a
     * score of 1e999 is a number out of range, not infinity.
     */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private AnswerRecovery() {
    }

    /** Where in the answer to look: the body of a fence holding an {@code open}, else all of it. */
    private record Region(String text, int from, int to, Set<Repair> repairs) {

        static Region of(String content, char open) {
            String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
            Set<Repair> repairs = EnumSet.noneOf(Repair.class);
            Matcher fence = FENCE.matcher(text);
            if (fence.find() && fence.group(1).indexOf(open) >= 0) {
                repairs.add(Repair.FENCE);
                if (!text.substring(0, fence.start()).isBlank() || !text.substring(fence.end()).isBlank()) {
                    repairs.add(Repair.PROSE);
                }
                return new Region(text, fence.start(1), fence.end(1), repairs);
            }
            return new Region(text, 0, text.length(), repairs);
        }
    }

    static Recovered recover(String content) {
        Region region = Region.of(content, '{');
        String text = region.text();
        Set<Repair> outer = region.repairs();
        int from = region.from();
        int to = region.to();
        String firstProblem = null;
        for (int start = text.indexOf('{', from); start >= 0 && start < to; ) {
            Span span = scan(text, start, to, '{', '}');
            // objects inside a complete one are its fields, not answers of their own; inside a cut one they may be
            int next = span.json() == null ? start + 1 : span.end();
            String problem;
            if (span.json() == null) {
                problem = "answer cut short: no closing brace";
            } else {
                try {
                    JsonNode object = STRICT.readTree(span.json());
                    if (object.has("score")) {
                        Set<Repair> repairs = EnumSet.copyOf(outer);
                        repairs.addAll(span.repairs());
                        if (!text.substring(from, start).isBlank() || !text.substring(span.end(), to).isBlank()) {
                            repairs.add(Repair.PROSE);
                        }
                        return new Recovered(object, repairs, null);
                    }
                    problem = "the answer has no \"score\"";
                } catch (JsonProcessingException e) {
                    problem = "the answer is not valid JSON: " + e.getOriginalMessage();
                }
            }
            // the first object in the answer is the one to explain when none has a score
            if (firstProblem == null) {
                firstProblem = problem;
            }
            start = text.indexOf('{', next);
        }
        return new Recovered(null, outer, firstProblem == null ? "the answer has no JSON object" : firstProblem);
    }

    /**
     * Finds the JSON array in an answer that should be one (the inference stage's list of atoms), with the same
     * repairs as for objects: a fence, prose around it (the first balanced array counts; brackets inside strings
     * are not counted), trailing commas, single quotes. Refused: an array cut short, and anything else not JSON.
     */
    static Recovered recoverArray(String content) {
        Region region = Region.of(content, '[');
        String text = region.text();
        int start = text.indexOf('[', region.from());
        if (start < 0 || start >= region.to()) {
            return new Recovered(null, region.repairs(), "the answer has no JSON array");
        }
        Span span = scan(text, start, region.to(), '[', ']');
        if (span.json() == null) {
            return new Recovered(null, region.repairs(), "answer cut short: no closing bracket");
        }
        Set<Repair> repairs = EnumSet.copyOf(region.repairs());
        repairs.addAll(span.repairs());
        if (!text.substring(region.from(), start).isBlank() || !text.substring(span.end(), region.to()).isBlank()) {
            repairs.add(Repair.PROSE);
        }
        try {
            return new Recovered(STRICT.readTree(span.json()), repairs, null);
        } catch (JsonProcessingException e) {
            return new Recovered(null, repairs, "the answer is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Reads from {@code start} (an {@code open}: a brace or a bracket) to its matching {@code close}, string-aware, making the text strict JSON as it
     * goes: single-quoted strings become double-quoted ones, trailing commas are dropped. Everything else is copied
     * as it is, for the parser to accept or name.
     */
    private static Span scan(String text, int start, int end, char open, char close) {
        Set<Repair> repairs = EnumSet.noneOf(Repair.class);
        StringBuilder out = new StringBuilder();
        int depth = 0;
        char quote = 0; // the open string's delimiter; 0 outside strings
        char previous = 0; // the last significant character outside strings
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (quote == '"') {
                out.append(c);
                if (c == '\\' && i + 1 < end) {
                    out.append(text.charAt(++i));
                } else if (c == '"') {
                    quote = 0;
                    previous = '"';
                }
            } else if (quote == '\'') {
                if (c == '\\' && i + 1 < end) {
                    char next = text.charAt(++i);
                    out.append(next == '\'' ? "'" : "\\" + next);
                } else if (c == '"') {
                    out.append("\\\"");
                } else if (c == '\'') {
                    out.append('"');
                    quote = 0;
                    previous = '"';
                } else {
                    out.append(c);
                }
            } else if (c == '"') {
                quote = '"';
                out.append(c);
            } else if (c == '\'' && (previous == '{' || previous == '[' || previous == ',' || previous == ':')) {
                // an apostrophe opens a string only where a key or value may start, never inside a bare word
                quote = '\'';
                repairs.add(Repair.SINGLE_QUOTES);
                out.append('"');
            } else if (c == ',' && closesNext(text, i + 1, end)) {
                repairs.add(Repair.TRAILING_COMMA);
            } else {
                out.append(c);
                if (!Character.isWhitespace(c)) {
                    previous = c;
                }
                if (c == open) {
                    depth++;
                } else if (c == close && --depth == 0) {
                    return new Span(out.toString(), i + 1, repairs);
                }
            }
        }
        return new Span(null, end, repairs);
    }

    private static boolean closesNext(String text, int from, int end) {
        int i = from;
        while (i < end && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i < end && (text.charAt(i) == '}' || text.charAt(i) == ']');
    }
}
