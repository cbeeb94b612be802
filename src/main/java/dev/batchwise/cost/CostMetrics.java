package dev.batchwise.cost;

import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.Provider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Prometheus series of answers as they are recorded: {@code batchwise.cost.tokens} (by type),
 * {@code batchwise.cost.usd} and {@code batchwise.cost.realtime.usd}, and {@code batchwise.items} by outcome; each
 * tagged with provider, model and mode. Labels are small closed sets: never a run, a key or prompt text.
 */
@ApplicationScoped
public class CostMetrics {

    /** What became of an item: a readable score, an unreadable answer, or a call that failed. */
    public enum Outcome { SCORED, UNPARSEABLE, FAILED }

    private final MeterRegistry registry;
    private final Pricing pricing;

    public CostMetrics(MeterRegistry registry, Pricing pricing) {
        this.registry = registry;
        this.pricing = pricing;
    }

    /** One recorded answer (or failure, {@code mode} then being the path that gave up on it). */
    public void recorded(Provider provider, String model, Mode mode, Outcome outcome, LlmUsage usage) {
        String p = provider.wireName();
        String m = model == null ? "unknown" : model;
        registry.counter("batchwise.items", "provider", p, "model", m, "mode", mode.key(),
                "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).increment();
        if (usage == null || outcome == Outcome.FAILED) {
            return;
        }
        tokens(p, m, mode, "input", usage.inputTokens());
        tokens(p, m, mode, "output", usage.outputTokens());
        tokens(p, m, mode, "cache_creation", usage.cacheCreationTokens());
        tokens(p, m, mode, "cache_read", usage.cacheReadTokens());
        if (pricing.knows(model)) {
            Pricing.Price price = pricing.price(provider, model, mode, usage);
            usd("batchwise.cost.usd", p, m, mode).increment(price.actualUsd().doubleValue());
            usd("batchwise.cost.realtime.usd", p, m, mode).increment(price.realtimeUsd().doubleValue());
        }
    }

    private void tokens(String provider, String model, Mode mode, String type, long count) {
        Counter.builder("batchwise.cost.tokens")
                .tags("provider", provider, "model", model, "mode", mode.key(), "type", type)
                .register(registry).increment(count);
    }

    private Counter usd(String name, String provider, String model, Mode mode) {
        return Counter.builder(name).tags("provider", provider, "model", model, "mode", mode.key())
                .register(registry);
    }
}
