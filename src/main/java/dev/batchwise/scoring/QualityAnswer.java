package dev.batchwise.scoring;

import java.util.List;
import java.util.Set;

/**
 * A quality answer, read by {@link AtomQualityService#read}: a score 0-100 and a list of issues, or the reason it
 * could not be read.
 *
 * @param score      null when the answer could not be read
 * @param issues     never null; empty when the answer listed none
 * @param parseIssue null for an answer read as it was meant: a plain one or one whose recovery lost nothing
 *                   (fences, prose, trailing commas, single quotes). Set with a null score when the answer could not
 *                   be read, and set with a score when reading it changed what the model said (a clamped score).
 * @param repairs    what was done to read the answer; empty for plain JSON
 */
public record QualityAnswer(Integer score, List<String> issues, String parseIssue, Set<Repair> repairs) {

    /** What had to be done to an answer to read it. */
    public enum Repair {
        /** the object was inside a Markdown code fence */
        FENCE,
        /** there was text before or after the object */
        PROSE,
        /** a comma before a closing brace or bracket was dropped */
        TRAILING_COMMA,
        /** single-quoted keys or strings were read as double-quoted ones */
        SINGLE_QUOTES,
        /** the score was a number written as a string, e.g. {@code "85"} */
        SCORE_AS_STRING,
        /** issues was a single value, not a list */
        ISSUES_NOT_A_LIST
    }

    public QualityAnswer {
        issues = List.copyOf(issues);
        repairs = Set.copyOf(repairs);
    }

    public boolean readable() {
        return score != null;
    }

    static QualityAnswer unreadable(String why, Set<Repair> repairs) {
        return new QualityAnswer(null, List.of(), why, repairs);
    }
}
