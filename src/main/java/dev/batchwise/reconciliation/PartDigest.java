package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The digest of a run's part, of its entries (atoms, tests) as sent and its options: a redelivery has the same. */
final class PartDigest {

    private PartDigest() {
    }

    static String of(String[] payloads, JsonNode options) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String payload : payloads) {
            digest.update(payload.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) ',');
        }
        digest.update(("|" + options).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }
}
