package dev.batchwise.llm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Custom ids as providers accept them ({@code ^[A-Za-z0-9_-]{1,64}$}). An id that already fits is kept; any
 * other (too long, spaces, non-ASCII) gets a deterministic safe id derived from it. The mapping travels with
 * the submission, so results come back under the caller's own ids.
 */
public final class CustomIds {

    public static final Pattern PROVIDER_SAFE = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    private CustomIds() {
    }

    /**
     * Provider id for every caller id, in request order. Duplicates are refused with an error that names them.
     *
     * @return provider id -> caller id
     */
    public static Map<String, String> assign(List<String> callerIds) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new TreeSet<>();
        for (String id : callerIds) {
            if (!seen.add(id)) {
                duplicates.add(id);
            }
        }
        if (!duplicates.isEmpty()) {
            throw new IllegalArgumentException("duplicate customId in one submission: " + String.join(", ", duplicates));
        }
        Map<String, String> providerToCaller = new LinkedHashMap<>();
        for (String id : callerIds) {
            if (PROVIDER_SAFE.matcher(id).matches()) {
                providerToCaller.put(id, id);
            }
        }
        for (String id : callerIds) {
            if (!PROVIDER_SAFE.matcher(id).matches()) {
                String safe = safeId(id);
                // a caller could have chosen our derived id as its own; step aside deterministically
                for (int n = 2; providerToCaller.containsKey(safe); n++) {
                    safe = safeId(id) + "_" + n;
                }
                providerToCaller.put(safe, id);
            }
        }
        return providerToCaller;
    }

    /** {@code bw-} and 32 hex digits of SHA-256 of the caller's id. */
    static String safeId(String callerId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(callerId.getBytes(StandardCharsets.UTF_8));
            return "bw-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
