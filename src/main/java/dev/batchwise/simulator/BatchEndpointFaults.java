package dev.batchwise.simulator;

import dev.batchwise.llm.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Transient failures of the batch endpoints (provider-apis.md, Corrections 3): a share
 * ({@code batchEndpointErrorRate}) of calls is answered 500 {@code api_error} or 529 {@code overloaded_error}
 * (Anthropic) or 500 / 503 (OpenAI) before the endpoint does anything, so a failed create creates nothing and
 * the client's retry is the only submission. Which calls fail follows from the seed and a per-provider call
 * counter, never from the clock.
 */
@ApplicationScoped
class BatchEndpointFaults {

    /** An injected failure; the provider's error mapper adds the headers that go with it. */
    static final class Injected extends SimulatorException {
        /** Anthropic has been seen sending {@code "request_id": null} in such bodies. */
        final boolean nullRequestId;

        Injected(int status, String type, String code, String message, boolean nullRequestId) {
            super(status, type, code, message);
            this.nullRequestId = nullRequestId;
        }
    }

    private final SimulatorKnobs knobs;
    private final SimulatorStats stats;
    private final Map<Provider, AtomicLong> calls = new EnumMap<>(Provider.class);

    BatchEndpointFaults(SimulatorKnobs knobs, SimulatorStats stats) {
        this.knobs = knobs;
        this.stats = stats;
        for (Provider provider : Provider.values()) {
            calls.put(provider, new AtomicLong());
        }
    }

    /** Throws this call's injected failure, if it draws one; call it first, before the endpoint's own work. */
    void check(Provider provider) {
        SimulatorSettings settings = knobs.get();
        double rate = settings.batchEndpointErrorRate();
        if (rate <= 0) {
            return;
        }
        long draw = settings.seed() * 1_000_003L + calls.get(provider).incrementAndGet();
        if (SimulatedModel.unit(draw, 40) >= rate) {
            return;
        }
        stats.of(provider).batchEndpointErrors.incrementAndGet();
        boolean overloaded = SimulatedModel.unit(draw, 41) < 0.5;
        if (provider == Provider.ANTHROPIC) {
            boolean nullRequestId = SimulatedModel.unit(draw, 42) < 0.5;
            throw overloaded
                    ? new Injected(529, "overloaded_error", null, "Overloaded (simulated)", nullRequestId)
                    : new Injected(500, "api_error", null, "Internal server error (simulated)", nullRequestId);
        }
        throw overloaded
                ? new Injected(503, "service_unavailable_error", "server_is_overloaded",
                        "The server is overloaded or not ready yet. (simulated)", false)
                : new Injected(500, "server_error", null,
                        "The server had an error while processing your request. Sorry about that! (simulated)", false);
    }
}
