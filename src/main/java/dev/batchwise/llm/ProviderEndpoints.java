package dev.batchwise.llm;

import dev.batchwise.simulator.SimulatorConfig;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Where each provider is and which key it takes. With a key: the configured base URL, or the real API.
 * Without one: the configured base URL or this instance's own simulator, with a placeholder key.
 */
@ApplicationScoped
public class ProviderEndpoints {

    /** A provider's base URL (Anthropic's without /v1, OpenAI's with it, as the SDKs have them) and key. */
    public record Endpoint(URI baseUrl, String apiKey, boolean simulated) {
        @Override
        public String toString() {
            return "Endpoint[" + baseUrl + (simulated ? ", simulated" : "") + "]"; // never the key
        }
    }

    static final String SIMULATOR_KEY = "simulator-key";

    private final LlmConfig llm;
    private final SimulatorConfig simulator;

    ProviderEndpoints(LlmConfig llm, SimulatorConfig simulator) {
        this.llm = llm;
        this.simulator = simulator;
    }

    public Optional<Endpoint> of(Provider provider) {
        Optional<String> key = provider == Provider.ANTHROPIC ? llm.anthropic().apiKey() : llm.openai().apiKey();
        Optional<String> base = provider == Provider.ANTHROPIC ? llm.anthropic().baseUrl() : llm.openai().baseUrl();
        if (key.isPresent()) {
            String real = provider == Provider.ANTHROPIC ? "https://api.anthropic.com" : "https://api.openai.com/v1";
            return Optional.of(new Endpoint(URI.create(base.orElse(real)), key.get(), false));
        }
        if (!simulator.enabled()) {
            return Optional.empty();
        }
        String own = "http://127.0.0.1:" + httpPort() + "/sim/" + (provider == Provider.ANTHROPIC ? "anthropic" : "openai/v1");
        return Optional.of(new Endpoint(URI.create(base.orElse(own)), SIMULATOR_KEY, true));
    }

    /** The port this instance listens on; Quarkus records the real one when it was chosen at random. */
    private static int httpPort() {
        String name = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getOptionalValue(name, Integer.class).orElse(8080);
    }
}
