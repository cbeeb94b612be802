package dev.batchwise.llm;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * Providers and their credentials. Keys come from {@code ANTHROPIC_API_KEY} / {@code OPENAI_API_KEY}
 * (environment or a Kubernetes secret, never a properties file); base URLs from
 * {@code ANTHROPIC_BASE_URL} (no {@code /v1}) and {@code OPENAI_BASE_URL} (with {@code /v1}), as the
 * official SDKs name them. Without a key the provider is served by the built-in simulator.
 */
@ConfigMapping(prefix = "llm")
public interface LlmConfig {

    /** The provider used for batch and real-time calls: {@code anthropic} or {@code openai}. */
    @WithDefault("anthropic")
    Provider provider();

    Anthropic anthropic();

    OpenAi openai();

    interface Anthropic {
        /** API key; empty means "use the simulator". Never logged. */
        Optional<String> apiKey();

        /** Base URL without {@code /v1}; empty means the real API with a key, the simulator without. */
        Optional<String> baseUrl();

        /** Model used when a request names none. */
        @WithDefault("claude-haiku-5-5")
        String model();
    }

    interface OpenAi {
        /** API key; empty means "use the simulator". Never logged. */
        Optional<String> apiKey();

        /** Base URL including {@code /v1}; empty means the real API with a key, the simulator without. */
        Optional<String> baseUrl();

        /** Model used when a request names none. */
        @WithDefault("gpt-4o-mini")
        String model();
    }
}
