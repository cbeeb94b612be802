package dev.batchwise.reconciliation;

import dev.batchwise.llm.LlmRequest;
import dev.batchwise.scoring.AtomQualityService;

/** The quality request of an atom: the same for the batch and the real-time path, every time. */
final class AtomRequests {

    private AtomRequests() {
    }

    static LlmRequest of(String customId, String description, String category) {
        return AtomQualityService.request(customId, description, category);
    }
}
