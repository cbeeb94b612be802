package dev.batchwise.cost;

import io.smallrye.config.ConfigMapping;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * Prices, in USD per million tokens at real-time (full) price, per model id; and each provider's batch discount.
 * The defaults in {@code application.properties} are provider-apis.md §1.13 (Anthropic) and the one OpenAI model we
 * configure. A negative price or a discount outside 0..1 stops start-up naming the key.
 */
@ConfigMapping(prefix = "cost")
public interface CostConfig {

    /** Prices by model id, as the provider names the model ({@code claude-haiku-5-5}). */
    Map<String, @Valid ModelPrices> models();

    /** Batch discounts by provider wire name ({@code anthropic}, {@code openai}). */
    Map<String, @Valid ProviderPricing> providers();

    interface ProviderPricing {
        /** Share taken off every column for batch answers: 0.5 is half price. */
        @DecimalMin("0")
        @DecimalMax("1")
        BigDecimal batchDiscount();
    }

    interface ModelPrices {
        /** The band of prompts up to {@link LongPrompt#aboveTokens()} (every prompt when there is no long band). */
        @Valid
        Band base();

        /** A second band: a prompt longer than this prices the whole request, output included, at these prices. */
        @Valid
        Optional<LongPrompt> longPrompt();
    }

    interface LongPrompt {
        /** Prompt length (input + cache reads + cache writes) above which this band applies, in tokens. */
        @Min(1)
        long aboveTokens();

        @Valid
        Band prices();
    }

    /** USD per million tokens. */
    interface Band {
        /** Uncached input. */
        @DecimalMin("0")
        BigDecimal input();

        /** Output. */
        @DecimalMin("0")
        BigDecimal output();

        /** Prompt-cache writes (Batchwise marks its system prompt with the 1-hour TTL: that price). */
        @DecimalMin("0")
        BigDecimal cacheWrite();

        /** Prompt-cache reads. */
        @DecimalMin("0")
        BigDecimal cacheRead();
    }
}
