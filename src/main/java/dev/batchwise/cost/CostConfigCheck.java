package dev.batchwise.cost;

import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.Provider;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Every answer must be priceable: the models the providers are configured with need prices, and every provider a
 * batch discount. Found at start-up, by key, rather than as a 500 on the first cost query.
 */
@ApplicationScoped
class CostConfigCheck {

    void check(@Observes StartupEvent ignored, LlmConfig llm, Pricing pricing, CostConfig cost) {
        for (String model : new String[] {llm.anthropic().model(), llm.openai().model()}) {
            if (!pricing.knows(model)) {
                throw new ConfigurationException("cost.models." + model + " is missing: the model configured in llm.*"
                        + ".model needs prices (base.input, base.output, base.cache-write, base.cache-read)");
            }
        }
        for (Provider provider : Provider.values()) {
            if (!cost.providers().containsKey(provider.wireName())) {
                throw new ConfigurationException("cost.providers." + provider.wireName() + ".batch-discount is missing");
            }
        }
    }
}
