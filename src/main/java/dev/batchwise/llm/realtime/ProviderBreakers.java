package dev.batchwise.llm.realtime;

import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.RealtimeAnswer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One SmallRye Fault Tolerance circuit breaker per provider, named {@code llm-realtime-<provider>}, around a
 * whole real-time request (its retries included). It counts the provider's failures only: what was worth
 * retrying (429, 5xx, 529, timeouts) and failures with no answer at all (connection refused); a request the
 * provider rejected as invalid, unauthorised, not found or too large says nothing about the provider's health.
 */
@Startup // the named breakers exist from start-up, for CircuitBreakerMaintenance and the health check
@ApplicationScoped
public class ProviderBreakers {

    private static final TypeLiteral<Uni<RealtimeAnswer>> ANSWER = new TypeLiteral<>() {
    };

    private final CircuitBreakerMaintenance maintenance;
    private final Map<Provider, TypedGuard<Uni<RealtimeAnswer>>> guards = new EnumMap<>(Provider.class);

    ProviderBreakers(RealtimeBreakerConfig config, CircuitBreakerMaintenance maintenance) {
        this.maintenance = maintenance;
        for (Provider provider : Provider.values()) {
            guards.put(provider, TypedGuard.create(ANSWER)
                    .withCircuitBreaker()
                    .name(name(provider))
                    .requestVolumeThreshold(config.requestVolumeThreshold())
                    .failureRatio(config.failureRatio())
                    .delay(config.delayMs(), ChronoUnit.MILLIS)
                    .successThreshold(config.successThreshold())
                    .when(ProviderBreakers::isProviderFailure)
                    .onStateChange(state -> logChange(provider, state, config.delayMs()))
                    .done()
                    .build());
        }
    }

    /** The breaker's name for {@link CircuitBreakerMaintenance}. */
    public static String name(Provider provider) {
        return "llm-realtime-" + provider.wireName();
    }

    /**
     * The call under the provider's breaker. When the breaker is open the call is not made and the Uni fails
     * with {@link org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException}.
     */
    Uni<RealtimeAnswer> guard(Provider provider, Supplier<Uni<RealtimeAnswer>> call) {
        return guards.get(provider).get(call);
    }

    /** Each provider's breaker state now. */
    public Map<Provider, CircuitBreakerState> states() {
        Map<Provider, CircuitBreakerState> states = new EnumMap<>(Provider.class);
        for (Provider provider : Provider.values()) {
            states.put(provider, maintenance.currentState(name(provider)));
        }
        return Collections.unmodifiableMap(states);
    }

    static boolean isProviderFailure(Throwable failure) {
        return !(failure instanceof LlmException e) || e.retryable();
    }

    private static void logChange(Provider provider, CircuitBreakerState state, long delayMs) {
        switch (state) {
            case OPEN -> Log.warnf("provider=%s real-time circuit breaker open: too many requests failed after"
                    + " their retries; no calls for %d ms", provider.wireName(), delayMs);
            case HALF_OPEN -> Log.infof("provider=%s real-time circuit breaker half-open: probing",
                    provider.wireName());
            case CLOSED -> Log.infof("provider=%s real-time circuit breaker closed", provider.wireName());
        }
    }
}
