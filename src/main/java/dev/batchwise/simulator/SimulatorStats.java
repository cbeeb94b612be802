package dev.batchwise.simulator;

import dev.batchwise.llm.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the simulator has seen, per provider, so tests can prove that nothing was submitted twice and that
 * a client kept within its concurrency.
 */
@ApplicationScoped
public class SimulatorStats {

    /**
     * The counters of one provider, as {@code GET /sim/stats} shows them. {@code overloaded} counts injected
     * real-time 5xx, {@code batchEndpointErrors} injected 5xx on the batch endpoints; {@code resultsDownloads}
     * counts results downloads begun (Anthropic results, OpenAI output and error file content), cut ones too.
     */
    public record View(long batchesCreated, long batchRequests, long realtimeCalls, long rateLimited,
                       long overloaded, long cancels, long inFlight, long maxInFlight, long batchEndpointErrors,
                       long resultsDownloads) {
    }

    static final class Counters {
        final AtomicLong batchesCreated = new AtomicLong();
        final AtomicLong batchRequests = new AtomicLong();
        final AtomicLong realtimeCalls = new AtomicLong();
        final AtomicLong rateLimited = new AtomicLong();
        final AtomicLong overloaded = new AtomicLong();
        final AtomicLong cancels = new AtomicLong();
        final AtomicLong inFlight = new AtomicLong();
        final AtomicLong maxInFlight = new AtomicLong();
        final AtomicLong batchEndpointErrors = new AtomicLong();
        final AtomicLong resultsDownloads = new AtomicLong();

        View view() {
            return new View(batchesCreated.get(), batchRequests.get(), realtimeCalls.get(), rateLimited.get(),
                    overloaded.get(), cancels.get(), inFlight.get(), maxInFlight.get(), batchEndpointErrors.get(),
                    resultsDownloads.get());
        }
    }

    private final Map<Provider, Counters> counters = new EnumMap<>(Provider.class);

    SimulatorStats() {
        for (Provider provider : Provider.values()) {
            counters.put(provider, new Counters());
        }
    }

    Counters of(Provider provider) {
        return counters.get(provider);
    }

    /** Counters keyed by the provider's wire name ({@code anthropic}, {@code openai}). */
    public Map<String, View> view() {
        Map<String, View> view = new java.util.LinkedHashMap<>();
        counters.forEach((provider, c) -> view.put(provider.wireName(), c.view()));
        return view;
    }

    /** Starts every counter from zero again (maxInFlight included). */
    public void reset() {
        for (Provider provider : Provider.values()) {
            counters.put(provider, new Counters());
        }
    }
}
