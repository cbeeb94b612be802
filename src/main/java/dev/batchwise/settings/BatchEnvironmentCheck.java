package dev.batchwise.settings;

import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.Provider;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * The one batch setting whose range depends on another setting: the cap per batch must fit the chosen
 * provider's own limit. Simple ranges are checked by the annotations on {@link BatchEnvironment}; a value in
 * {@code llm_configurations} by {@code PUT /api/config}, against the same limit.
 */
@ApplicationScoped
class BatchEnvironmentCheck {

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ignored,
               BatchEnvironment batch, LlmConfig llm) {
        Provider provider = llm.provider();
        if (batch.maxRequestsPerBatch() > provider.maxRequestsPerBatch()) {
            throw new ConfigurationException("batch.max-requests-per-batch=" + batch.maxRequestsPerBatch()
                    + " is above the " + provider.wireName() + " limit; allowed range 1.."
                    + provider.maxRequestsPerBatch());
        }
    }
}
