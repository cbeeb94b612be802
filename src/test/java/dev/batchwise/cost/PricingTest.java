package dev.batchwise.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.Provider;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.validator.BeanValidationConfigValidator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/**
 * The price arithmetic and the validation of the price table. Not a @QuarkusTest: the mapping is built the way
 * Quarkus builds it (SmallRye Config with bean validation), from properties given here.
 */
class PricingTest {

    private static Map<String, String> table() {
        Map<String, String> p = new HashMap<>();
        p.put("cost.providers.anthropic.batch-discount", "0.5");
        p.put("cost.providers.openai.batch-discount", "0.5");
        p.put("cost.models.claude-haiku-5-5.base.input", "0.10");
        p.put("cost.models.claude-haiku-5-5.base.output", "0.50");
        p.put("cost.models.claude-haiku-5-5.base.cache-write", "0.20");
        p.put("cost.models.claude-haiku-5-5.base.cache-read", "0.01");
        p.put("cost.models.claude-haiku-5-5.long-prompt.above-tokens", "100000");
        p.put("cost.models.claude-haiku-5-5.long-prompt.prices.input", "0.50");
        p.put("cost.models.claude-haiku-5-5.long-prompt.prices.output", "2.50");
        p.put("cost.models.claude-haiku-5-5.long-prompt.prices.cache-write", "1.00");
        p.put("cost.models.claude-haiku-5-5.long-prompt.prices.cache-read", "0.05");
        p.put("cost.models.claude-sonnet-5-5.base.input", "2.00");
        p.put("cost.models.claude-sonnet-5-5.base.output", "10.00");
        p.put("cost.models.claude-sonnet-5-5.base.cache-write", "4.00");
        p.put("cost.models.claude-sonnet-5-5.base.cache-read", "0.20");
        return p;
    }

    private static CostConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withMapping(CostConfig.class)
                .withValidator(new BeanValidationConfigValidator() {
                    @Override
                    public Validator getValidator() {
                        return Validation.byDefaultProvider().configure()
                                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory()
                                .getValidator();
                    }
                })
                .build();
        return config.getConfigMapping(CostConfig.class);
    }

    private static final Pricing PRICING = new Pricing(config(table()));

    private static void assertUsd(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), "expected " + expected + ", got " + actual);
    }

    @Test
    void everyColumnAtItsPrice() {
        // Sonnet 5.5: 1M input $2, 1M output $10, 1M cache writes $4, 1M cache reads $0.20
        Pricing.Price price = PRICING.price(Provider.ANTHROPIC, "claude-sonnet-5-5", Mode.REALTIME,
                new LlmUsage(1_000_000, 1_000_000, 1_000_000, 1_000_000));
        assertUsd("16.20", price.actualUsd());
        assertUsd("16.20", price.realtimeUsd());
        Pricing.Price writes = PRICING.price(Provider.ANTHROPIC, "claude-sonnet-5-5", Mode.REALTIME,
                new LlmUsage(0, 0, 250_000, 0));
        assertUsd("1.00", writes.realtimeUsd());
        Pricing.Price reads = PRICING.price(Provider.ANTHROPIC, "claude-sonnet-5-5", Mode.REALTIME,
                new LlmUsage(0, 0, 0, 500_000));
        assertUsd("0.10", reads.realtimeUsd());
    }

    @Test
    void batchDiscountOnEveryColumnCacheIncluded() {
        Pricing.Price price = PRICING.price(Provider.ANTHROPIC, "claude-sonnet-5-5", Mode.BATCH,
                new LlmUsage(1_000_000, 1_000_000, 1_000_000, 1_000_000));
        assertUsd("8.10", price.actualUsd());
        assertUsd("16.20", price.realtimeUsd());
    }

    @Test
    void twoBandsByPromptLengthCountingCacheTokens() {
        // prompt = 60,000 input + 30,000 cache reads + 10,000 cache writes = 100,000: still the short band
        LlmUsage atLimit = new LlmUsage(60_000, 1_000, 10_000, 30_000);
        // 0.06 * 0.10... in USD: 60000*0.10 + 1000*0.50 + 10000*0.20 + 30000*0.01 = 8800 per million
        assertUsd("0.0088", PRICING.price(Provider.ANTHROPIC, "claude-haiku-5-5", Mode.REALTIME, atLimit).realtimeUsd());
        // one more cache read: the whole request, output included, at the long band
        LlmUsage above = new LlmUsage(60_000, 1_000, 10_000, 30_001);
        // 60000*0.50 + 1000*2.50 + 10000*1.00 + 30001*0.05 = 44000.05 per million
        assertUsd("0.04400005", PRICING.price(Provider.ANTHROPIC, "claude-haiku-5-5", Mode.REALTIME, above).realtimeUsd());
        assertUsd("0.022000025", PRICING.price(Provider.ANTHROPIC, "claude-haiku-5-5", Mode.BATCH, above).actualUsd());
        assertEquals(100_000L, PRICING.longPromptAbove("claude-haiku-5-5").orElseThrow());
        assertTrue(PRICING.longPromptAbove("claude-sonnet-5-5").isEmpty());
    }

    @Test
    void unknownModelNamesTheKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PRICING.price(Provider.OPENAI,
                "gpt-unknown", Mode.BATCH, LlmUsage.ZERO));
        assertTrue(e.getMessage().contains("cost.models.gpt-unknown"), e.getMessage());
    }

    @Test
    void negativePriceStopsStartNamingTheKey() {
        Map<String, String> p = table();
        p.put("cost.models.claude-sonnet-5-5.base.cache-read", "-0.20");
        RuntimeException e = assertThrows(RuntimeException.class, () -> config(p));
        assertTrue(e.getMessage().contains("cost.models.claude-sonnet-5-5.base.cache-read"), e.getMessage());
    }

    @Test
    void discountOutsideZeroToOneStopsStartNamingTheKey() {
        Map<String, String> p = table();
        p.put("cost.providers.openai.batch-discount", "1.5");
        RuntimeException e = assertThrows(RuntimeException.class, () -> config(p));
        assertTrue(e.getMessage().contains("cost.providers.openai.batch-discount"), e.getMessage());
        p.put("cost.providers.openai.batch-discount", "-0.1");
        RuntimeException negative = assertThrows(RuntimeException.class, () -> config(p));
        assertTrue(negative.getMessage().contains("cost.providers.openai.batch-discount"), negative.getMessage());
    }
}
