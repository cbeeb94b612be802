package dev.batchwise.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The simulated LLM. An answer is a pure function of (model, prompt, seed) and the answer-shape shares, so
 * the same request gets byte-identical content in a batch and in real time. A quality-scoring prompt (one
 * that asks for a quality score) gets a JSON object {@code {"score": 0-100, "issues": [...]}}, an inference prompt
 * (atoms from a test) a JSON array of one to four atoms; a configured share of those comes fenced in Markdown,
 * wrapped in prose, or broken, as real models do.
 */
final class SimulatedModel {

    /** One answer, with the output token count that usage reports. */
    record Answer(String text, int outputTokens, boolean truncated) {
    }

    private static final String[] ISSUES = {
        "The atom names no observable outcome.",
        "The expected result depends on unstated configuration.",
        "Two behaviours are combined in one atom.",
        "The wording allows more than one reading.",
        "The atom repeats an implementation detail instead of a behaviour.",
    };

    private SimulatedModel() {
    }

    /**
     * Our stated tokenizer approximation: one token per 4 characters, rounded up. Real tokenizers differ by
     * model; usage figures from the simulator are therefore estimates of the same order as real ones.
     */
    static int tokens(String text) {
        return text == null || text.isEmpty() ? 0 : (text.length() + 3) / 4;
    }

    /** A stable 64-bit digest of the prompt; together with the settings it decides the answer. */
    static long promptHash(long seed, String model, String system, String user) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Long.toString(seed).getBytes(StandardCharsets.UTF_8));
            for (String part : new String[] {model, system, user}) {
                sha.update((byte) 0);
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
            }
            byte[] digest = sha.digest();
            long hash = 0;
            for (int i = 0; i < 8; i++) {
                hash = (hash << 8) | (digest[i] & 0xff);
            }
            return hash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a prompt asks for, which decides the shape of its answer. */
    enum Kind {
        /** a quality score: a JSON object */
        QUALITY,
        /** atoms inferred from a test: a JSON array */
        INFERENCE,
        /** anything else: a sentence */
        PLAIN
    }

    static Kind kind(String system, String user) {
        String all = (String.valueOf(system) + " " + String.valueOf(user)).toLowerCase(Locale.ROOT);
        if (all.contains("infer") && all.contains("atoms") && all.contains("json array")) {
            return Kind.INFERENCE;
        }
        return all.contains("quality") && all.contains("score") ? Kind.QUALITY : Kind.PLAIN;
    }

    /** A number in [0, 1) drawn from the hash for a given purpose, independent across purposes. */
    static double unit(long hash, int purpose) {
        long mixed = hash ^ (0x9E3779B97F4A7C15L * (purpose + 1));
        mixed = (mixed ^ (mixed >>> 33)) * 0xff51afd7ed558ccdL;
        mixed = (mixed ^ (mixed >>> 33)) * 0xc4ceb9fe1a85ec53L;
        mixed ^= mixed >>> 33;
        return (mixed >>> 11) * 0x1.0p-53;
    }

    static Answer answer(long hash, Kind kind, int maxTokens, SimulatorSettings settings) {
        String text = switch (kind) {
            case QUALITY -> qualityAnswer(hash, settings);
            case INFERENCE -> inferenceAnswer(hash, settings);
            case PLAIN -> plainAnswer(hash);
        };
        int limit = Math.max(1, maxTokens) * 4;
        boolean truncated = text.length() > limit;
        if (truncated) {
            text = text.substring(0, limit);
        }
        return new Answer(text, Math.max(1, tokens(text)), truncated);
    }

    private static String qualityAnswer(long hash, SimulatorSettings settings) {
        int score = (int) (unit(hash, 1) * 101);
        int issueCount = score >= 80 ? 0 : score >= 50 ? 1 : 2;
        StringBuilder json = new StringBuilder("{\"score\": ").append(score).append(", \"issues\": [");
        for (int i = 0; i < issueCount; i++) {
            json.append(i == 0 ? "" : ", ").append('"')
                    .append(ISSUES[(int) (unit(hash, 2 + i) * ISSUES.length)]).append('"');
        }
        json.append("]}");
        return shaped(json.toString(), "Here is my assessment of the atom.", hash, settings);
    }

    private static final String[] ACTORS = {"A user", "An administrator", "A guest", "A reviewer", "The system"};
    private static final String[] ACTIONS = {
        "can export the monthly report as CSV", "is asked to confirm before deleting a project",
        "sees an error naming the missing field when saving an empty form", "can reset a password by e-mail",
        "receives a notification when a review is assigned", "can filter the atoms list by category",
        "is signed out after 30 minutes without activity", "can undo the last edit of a description",
        "gets search results within two seconds", "cannot open another tenant's run",
        "can navigate the review page with the keyboard alone", "sees progress update without reloading the page",
    };
    private static final String[] CATEGORIES = {"functional", "security", "performance", "usability",
        "accessibility", "reliability"};

    /**
     * One to four atoms for a test, drawn from the hash: the same test gets the same atoms in a batch and in real
     * time. Shaped (fenced, in prose, cut short) by the same shares as quality answers.
     */
    private static String inferenceAnswer(long hash, SimulatorSettings settings) {
        int count = 1 + (int) (unit(hash, 11) * 4);
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            String actor = ACTORS[(int) (unit(hash, 12 + 3 * i) * ACTORS.length)];
            String action = ACTIONS[(int) (unit(hash, 13 + 3 * i) * ACTIONS.length)];
            String category = CATEGORIES[(int) (unit(hash, 14 + 3 * i) * CATEGORIES.length)];
            json.append(i == 0 ? "" : ", ").append("{\"description\": \"").append(actor).append(' ').append(action)
                    .append(".\", \"category\": \"").append(category).append("\"}");
        }
        json.append(']');
        return shaped(json.toString(), "Here are the atoms this test checks.", hash, settings);
    }

    /** Fenced in Markdown, wrapped in prose, or cut short, by the configured shares; else as it is. */
    private static String shaped(String json, String preamble, long hash, SimulatorSettings settings) {
        double shape = unit(hash, 9);
        if (shape < settings.brokenRate()) {
            return json.substring(0, json.length() / 2);
        }
        shape -= settings.brokenRate();
        if (shape < settings.fencedRate()) {
            return "```json\n" + json + "\n```";
        }
        shape -= settings.fencedRate();
        if (shape < settings.proseRate()) {
            return preamble + "\n\n" + json + "\n\nLet me know if you need more detail.";
        }
        return json;
    }

    private static String plainAnswer(long hash) {
        return "Simulated answer " + Long.toHexString(hash) + ": the request was read and answered by the"
                + " Batchwise provider simulator.";
    }
}
