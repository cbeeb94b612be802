package dev.batchwise.scoring;

/**
 * The inference prompt: one system prompt shared by every test (identical in batch and real time, marked
 * cacheable), and one user prompt per test built from its id, name and context alone, so the same test always gets
 * the same request. Requests are large (each carries its test's context), which is what the batch path's byte
 * limit is for.
 */
public final class InferencePrompt {

    public static final String SYSTEM = """
            You infer requirement atoms from tests for a reconciliation pipeline. For the test you are given (its \
            name and its context), list the behaviours it checks, each as one atom: atomic (one behaviour), \
            testable and specific. Answer with a JSON array only, no prose: [{"description": <one sentence>, \
            "category": <functional | security | performance | usability | accessibility | reliability>}], one to \
            a few atoms per test, in the order the test checks them.""";

    /** Answers are short lists of one-sentence atoms. */
    public static final int MAX_TOKENS = 1024;

    private InferencePrompt() {
    }

    public static String user(String testId, String name, String context) {
        return "Test " + testId + ": " + (name == null || name.isBlank() ? "(no name)" : name) + "\nContext:\n"
                + (context == null || context.isBlank() ? "(none)" : context);
    }
}
