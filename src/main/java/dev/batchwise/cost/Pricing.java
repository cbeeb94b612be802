package dev.batchwise.cost;

import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.Provider;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import java.util.Optional;

/**
 * The price arithmetic: what an answer's usage cost at the price it was billed (batch or real time), and what the
 * same usage costs at real-time prices. Pure: the configured prices in, dollars out. A model with two bands prices
 * the whole request at the long band when its prompt (input + cache reads + cache writes) is above the threshold,
 * so usage must be priced per answer, or summed only within one band.
 */
@ApplicationScoped
public class Pricing {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** The actual and the real-time (counterfactual) cost of some usage, in USD. */
    public record Price(BigDecimal actualUsd, BigDecimal realtimeUsd) {
        public static final Price ZERO = new Price(BigDecimal.ZERO, BigDecimal.ZERO);

        public Price plus(Price other) {
            return new Price(actualUsd.add(other.actualUsd), realtimeUsd.add(other.realtimeUsd));
        }
    }

    private final CostConfig config;

    public Pricing(CostConfig config) {
        this.config = config;
    }

    /** Whether {@code model} has prices. */
    public boolean knows(String model) {
        return model != null && config.models().containsKey(model);
    }

    /** The prompt length above which {@code model} has its long band; empty when it has one band. */
    public Optional<Long> longPromptAbove(String model) {
        return prices(model).longPrompt().map(CostConfig.LongPrompt::aboveTokens);
    }

    /** One answer's cost: its band follows from its own prompt length. */
    public Price price(Provider provider, String model, Mode mode, LlmUsage usage) {
        long prompt = usage.inputTokens() + usage.cacheReadTokens() + usage.cacheCreationTokens();
        boolean longPrompt = longPromptAbove(model).map(above -> prompt > above).orElse(false);
        return price(provider, model, mode, usage, longPrompt);
    }

    /** The cost of usage summed over answers that are all in one band ({@code longPrompt} or not). */
    public Price price(Provider provider, String model, Mode mode, LlmUsage usage, boolean longPrompt) {
        CostConfig.ModelPrices prices = prices(model);
        CostConfig.Band band = longPrompt
                ? prices.longPrompt().orElseThrow(() -> new IllegalArgumentException(
                        "model " + model + " has no long-prompt band (cost.models." + model + ".long-prompt)"))
                        .prices()
                : prices.base();
        BigDecimal realtime = perMillion(band.input(), usage.inputTokens())
                .add(perMillion(band.output(), usage.outputTokens()))
                .add(perMillion(band.cacheWrite(), usage.cacheCreationTokens()))
                .add(perMillion(band.cacheRead(), usage.cacheReadTokens()));
        // the batch discount applies to every column, cache writes and reads included (provider-apis.md §1.12)
        BigDecimal actual = mode == Mode.BATCH
                ? realtime.multiply(BigDecimal.ONE.subtract(batchDiscount(provider)))
                : realtime;
        return new Price(actual, realtime);
    }

    /** The share a batch answer of {@code provider} is cheaper by (0.5: half price). */
    public BigDecimal batchDiscount(Provider provider) {
        CostConfig.ProviderPricing pricing = config.providers().get(provider.wireName());
        if (pricing == null) {
            throw new IllegalStateException("no batch discount for " + provider.wireName() + ": set cost.providers."
                    + provider.wireName() + ".batch-discount");
        }
        return pricing.batchDiscount();
    }

    private CostConfig.ModelPrices prices(String model) {
        CostConfig.ModelPrices prices = model == null ? null : config.models().get(model);
        if (prices == null) {
            throw new IllegalStateException("no prices for model " + model + ": set cost.models." + model
                    + ".base.input (and output, cache-write, cache-read)");
        }
        return prices;
    }

    private static BigDecimal perMillion(BigDecimal usdPerMillion, long tokens) {
        return tokens == 0 ? BigDecimal.ZERO
                : usdPerMillion.multiply(BigDecimal.valueOf(tokens)).divide(MILLION, MathContext.DECIMAL64);
    }

    /** Every model and its prices, for the start-up check. */
    Map<String, CostConfig.ModelPrices> models() {
        return config.models();
    }
}
