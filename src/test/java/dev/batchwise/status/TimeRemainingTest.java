package dev.batchwise.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TimeRemainingTest {

    @Test
    void readsAsThePlanShowsIt() {
        assertEquals("unknown", TimeRemaining.describe(Optional.empty()));
        assertEquals("under a minute", TimeRemaining.describe(Optional.of(Duration.ofSeconds(59))));
        assertEquals("~1 minute", TimeRemaining.describe(Optional.of(Duration.ofSeconds(80))));
        assertEquals("~12 minutes", TimeRemaining.describe(Optional.of(Duration.ofSeconds(12 * 60 + 20))));
        assertEquals("~89 minutes", TimeRemaining.describe(Optional.of(Duration.ofMinutes(89))));
        assertEquals("~2 hours", TimeRemaining.describe(Optional.of(Duration.ofMinutes(100))));
        assertEquals("~24 hours", TimeRemaining.describe(Optional.of(Duration.ofHours(24))));
    }
}
