package dev.batchwise.llm.realtime;

import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmErrorType;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.ProviderAdapter;
import dev.batchwise.llm.RealtimeAnswer;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The real-time path: LLM calls one by one, for small runs and for what a batch left undone. Each request
 * is paced to the provider's rate limit, retried when that can help, and guarded by the provider's circuit
 * breaker ({@link ProviderBreakers}); its outcome is always an {@link LlmResult}, a failure included, never
 * a failed {@code Uni} or stream ({@code Promise.allSettled} semantics).
 */
@ApplicationScoped
public class RealtimeLlmService {

    private final LlmConfig config;
    private final Map<Provider, ProviderAdapter> adapters = new EnumMap<>(Provider.class);
    private final ProviderBreakers breakers;
    private final RealtimeCaller caller;

    RealtimeLlmService(LlmConfig config, @Any Instance<ProviderAdapter> adapters, ProviderBreakers breakers,
                       MeterRegistry registry) {
        this.config = config;
        this.breakers = breakers;
        for (ProviderAdapter adapter : adapters) {
            ProviderAdapter other = this.adapters.putIfAbsent(adapter.provider(), adapter);
            if (other != null) {
                throw new IllegalStateException("two adapters for provider " + adapter.provider().wireName() + ": "
                        + other.getClass().getName() + " and " + adapter.getClass().getName());
            }
        }
        // batchwise_realtime_retries_total: calls made again after a failed attempt (each may have been billed, but
        // for reason "unreachable": no HTTP answer, so perhaps never sent)
        this.caller = new RealtimeCaller(config.realtime(), InstantSource.system(),
                () -> ThreadLocalRandom.current().nextDouble(),
                (provider, type, reached) -> registry.counter("batchwise.realtime.retries", "provider",
                        provider.wireName(), "reason", reached ? type.name().toLowerCase(Locale.ROOT) : "unreachable")
                        .increment());
    }

    /** One request to the configured provider ({@code llm.provider}). */
    public Uni<LlmResult> complete(LlmRequest request) {
        return complete(request, config.provider());
    }

    /** One request to {@code provider}; the result carries the request's custom id. */
    public Uni<LlmResult> complete(LlmRequest request, Provider provider) {
        Optional<ProviderAdapter> adapter = adapter(provider);
        if (adapter.isEmpty()) {
            return Uni.createFrom().item(LlmResult.failed(request.customId(), LlmErrorType.UNKNOWN,
                    "no adapter for provider " + provider.wireName() + " is installed"));
        }
        return breakers.guard(provider, () -> caller.call(adapter.get(), request))
                .map(RealtimeAnswer::result)
                .onFailure().recoverWithItem(failure -> failure instanceof CircuitBreakerOpenException
                        ? LlmResult.failed(request.customId(), LlmErrorType.OVERLOADED, provider.wireName()
                                + ": circuit breaker open after repeated failures; request not sent")
                        : RealtimeCaller.failed(request, failure));
    }

    /** Every request to the configured provider, {@code llm.realtime.concurrency} at a time. */
    public Multi<LlmResult> completeAll(List<LlmRequest> requests) {
        return completeAll(requests, config.realtime().concurrency());
    }

    /**
     * Every request to the configured provider, at most {@code concurrency} under way at once: exactly one
     * result per request, success or failure, in the order they finish (match them by custom id).
     */
    public Multi<LlmResult> completeAll(List<LlmRequest> requests, int concurrency) {
        return completeAll(requests, concurrency, config.provider());
    }

    /** As {@link #completeAll(List, int)}, to {@code provider}. */
    public Multi<LlmResult> completeAll(List<LlmRequest> requests, int concurrency, Provider provider) {
        return RealtimeCaller.settleAll(requests, concurrency, request -> complete(request, provider));
    }

    private Optional<ProviderAdapter> adapter(Provider provider) {
        return Optional.ofNullable(adapters.get(provider));
    }
}
