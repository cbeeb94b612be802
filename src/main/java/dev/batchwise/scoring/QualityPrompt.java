package dev.batchwise.scoring;

/**
 * The quality prompt: one system prompt shared by every atom (identical in batch and in real time, so the
 * provider can cache it) and one user prompt per atom, built from its fields alone, so the same atom always
 * gets the same request, whichever path and however often it is sent. The system prompt is marked cacheable
 * ({@link AtomQualityService#request}); at about 100 tokens it is under the providers' shortest cached
 * prefix (1,024 tokens or more, by model), so the mark only pays once the prompt grows (a rubric, examples).
 * Padding it to reach the cache would cost more than it saves.
 */
public final class QualityPrompt {

    public static final String SYSTEM = """
            You review inferred requirement atoms for a reconciliation pipeline. For the atom you are given, \
            judge its quality: is it atomic (one behaviour), testable, unambiguous and specific? Answer with a \
            JSON object only, no prose: {"score": <integer 0-100>, "issues": [<short strings>]}. The score is a \
            quality score used to sort atoms for review; list every issue that lowers it.""";

    /** Answers are short JSON objects. */
    public static final int MAX_TOKENS = 512;

    private QualityPrompt() {
    }

    public static String user(String description, String category) {
        return "Atom (category: " + (category == null || category.isBlank() ? "none" : category) + "):\n" + description;
    }
}
