package dev.batchwise.llm;

import dev.batchwise.simulator.SimulatorConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/** Without the simulator (the prod profile) the chosen provider needs a real key: fail early, by name. */
@ApplicationScoped
class LlmConfigCheck {

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ignored,
               LlmConfig llm, SimulatorConfig simulator) {
        if (simulator.enabled()) {
            return;
        }
        boolean hasKey = switch (llm.provider()) {
            case ANTHROPIC -> llm.anthropic().apiKey().isPresent();
            case OPENAI -> llm.openai().apiKey().isPresent();
        };
        if (!hasKey) {
            String variable = llm.provider() == Provider.ANTHROPIC ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
            throw new ConfigurationException("llm." + llm.provider().wireName() + ".api-key is required when the"
                    + " provider simulator is off (batchwise.simulator.enabled=false): set " + variable);
        }
    }
}
