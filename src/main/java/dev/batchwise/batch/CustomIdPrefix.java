package dev.batchwise.batch;

import dev.batchwise.llm.CustomIds;
import java.util.UUID;

/**
 * An item's custom id is its job's prefix and its place in the job ({@code 3f2a9c1b04de-17}): provider-safe
 * by construction, and it tells from any one result line which job a provider batch belongs to, which is how a
 * job finds its batch again after a crash where the provider keeps no metadata (Anthropic).
 */
final class CustomIdPrefix {

    private CustomIdPrefix() {
    }

    /** 12 hex digits of the job id. */
    static String of(UUID jobId) {
        return jobId.toString().replace("-", "").substring(0, 12);
    }

    static String customId(String prefix, int index) {
        String id = prefix + "-" + index;
        if (!CustomIds.PROVIDER_SAFE.matcher(id).matches()) {
            throw new IllegalStateException("custom id " + id + " is not provider-safe");
        }
        return id;
    }

    static boolean belongsTo(String customId, UUID jobId) {
        return customId != null && customId.startsWith(of(jobId) + "-");
    }
}
