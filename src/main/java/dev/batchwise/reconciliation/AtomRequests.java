package dev.batchwise.reconciliation;

import dev.batchwise.llm.LlmRequest;
import dev.batchwise.scoring.QualityPrompt;

/** The quality request of an atom: the same for the batch and the real-time path, every time. */
final class AtomRequests {

    private AtomRequests() {
    }

    static LlmRequest of(String customId, String description, String category) {
        return new LlmRequest(customId, QualityPrompt.SYSTEM, QualityPrompt.user(description, category), null,
                QualityPrompt.MAX_TOKENS, null, true);
    }
}
