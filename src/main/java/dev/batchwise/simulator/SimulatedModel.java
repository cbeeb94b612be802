package dev.batchwise.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The simulated LLM. An answer is a pure function of (model, prompt, seed) and the answer-shape shares, so
 * the same request gets byte-identical content in a batch and in real time. A quality-scoring prompt (one
 * that asks for a quality score) gets a JSON object {@code {"score": 0-100, "issues": [...]}}; a configured
 * share of those comes fenced in Markdown, wrapped in prose, or broken, as real models do.
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

    static boolean isQualityPrompt(String system, String user) {
        String all = (String.valueOf(system) + " " + String.valueOf(user)).toLowerCase(Locale.ROOT);
        return all.contains("quality") && all.contains("score");
    }

    /** A number in [0, 1) drawn from the hash for a given purpose, independent across purposes. */
    static double unit(long hash, int purpose) {
        long mixed = hash ^ (0x9E3779B97F4A7C15L * (purpose + 1));
        mixed = (mixed ^ (mixed >>> 33)) * 0xff51afd7ed558ccdL;
        mixed = (mixed ^ (mixed >>> 33)) * 0xc4ceb9fe1a85ec53L;
        mixed ^= mixed >>> 33;
        return (mixed >>> 11) * 0x1.0p-53;
    }

    static Answer answer(long hash, boolean quality, int maxTokens, SimulatorSettings settings) {
        String text = quality ? qualityAnswer(hash, settings) : plainAnswer(hash);
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
            return "Here is my assessment of the atom.\n\n" + json + "\n\nLet me know if you need more detail.";
        }
        return json.toString();
    }

    private static String plainAnswer(long hash) {
        return "Simulated answer " + Long.toHexString(hash) + ": the request was read and answered by the"
                + " Batchwise provider simulator.";
    }
}
