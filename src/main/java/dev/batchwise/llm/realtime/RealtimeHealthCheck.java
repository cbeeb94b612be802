package dev.batchwise.llm.realtime;

import dev.batchwise.llm.Provider;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness data on the real-time path: each provider's circuit breaker ({@code closed}, {@code open},
 * {@code half-open}) and {@code degraded: true} while one is not closed. Always UP: a provider that keeps
 * failing degrades the service (batch work and the other provider go on) but must not take the instance
 * out of its load balancer, where a restart would not help.
 */
@Readiness
@ApplicationScoped
class RealtimeHealthCheck implements HealthCheck {

    static final String NAME = "LLM providers (real time)";

    private final ProviderBreakers breakers;

    RealtimeHealthCheck(ProviderBreakers breakers) {
        this.breakers = breakers;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).up();
        boolean degraded = false;
        for (Map.Entry<Provider, CircuitBreakerState> entry : breakers.states().entrySet()) {
            response.withData(entry.getKey().wireName(), text(entry.getValue()));
            degraded |= entry.getValue() != CircuitBreakerState.CLOSED;
        }
        return response.withData("degraded", degraded).build();
    }

    static String text(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> "closed";
            case OPEN -> "open";
            case HALF_OPEN -> "half-open";
        };
    }
}
