package dev.batchwise.llm;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * The chosen provider needs a key in every profile: fail early, by name, rather than answer nothing later. The
 * profiles that serve the provider simulator configure its placeholder key and point the base URL at it.
 */
@ApplicationScoped
class LlmConfigCheck {

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ignored, LlmConfig llm) {
        boolean hasKey = switch (llm.provider()) {
            case ANTHROPIC -> llm.anthropic().apiKey().isPresent();
            case OPENAI -> llm.openai().apiKey().isPresent();
        };
        if (!hasKey) {
            String variable = llm.provider() == Provider.ANTHROPIC ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
            throw new ConfigurationException("llm." + llm.provider().wireName() + ".api-key is required: set "
                    + variable + " (only the dev, test, demo and simulator profiles use the provider simulator)");
        }
    }
}
