package dev.batchwise.llm;

import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Where each provider is and which key it takes: the configured base URL (the real API when none is set) and
 * the configured key. A provider without a key is not configured. A base URL that is a path ({@code /sim/...})
 * means this very instance, so profiles that serve the provider simulator point at it by configuration alone.
 */
@ApplicationScoped
public class ProviderEndpoints {

    /** A provider's base URL (Anthropic's without /v1, OpenAI's with it, as the SDKs have them) and key. */
    public record Endpoint(URI baseUrl, String apiKey) {
        @Override
        public String toString() {
            return "Endpoint[" + baseUrl + "]"; // never the key
        }
    }

    private final LlmConfig llm;

    ProviderEndpoints(LlmConfig llm) {
        this.llm = llm;
    }

    public Optional<Endpoint> of(Provider provider) {
        Optional<String> key = provider == Provider.ANTHROPIC ? llm.anthropic().apiKey() : llm.openai().apiKey();
        Optional<String> base = provider == Provider.ANTHROPIC ? llm.anthropic().baseUrl() : llm.openai().baseUrl();
        if (key.isEmpty()) {
            return Optional.empty();
        }
        String real = provider == Provider.ANTHROPIC ? "https://api.anthropic.com" : "https://api.openai.com/v1";
        return Optional.of(new Endpoint(resolve(base.orElse(real)), key.get()));
    }

    /** A path is this instance: the port is read at call time, since tests choose it at random. */
    private static URI resolve(String base) {
        return base.startsWith("/") ? URI.create("http://127.0.0.1:" + httpPort() + base) : URI.create(base);
    }

    private static int httpPort() {
        String name = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getOptionalValue(name, Integer.class).orElse(8080);
    }
}
