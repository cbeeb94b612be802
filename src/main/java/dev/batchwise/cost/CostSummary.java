package dev.batchwise.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * What some answers cost ({@code GET /api/runs/{runId}/cost}, {@code GET /api/cost}): the actual cost (batch price
 * for batch answers, full price for real-time ones), the same usage at real-time prices, and the saving.
 * {@code byMode} is keyed {@code batch}/{@code realtime}, {@code byModel} by model id, {@code byStage} by the
 * pipeline step the answers were for ({@code inferring}: atoms read from tests; {@code verifying}: atoms scored).
 * USD to 6 places.
 */
public record CostSummary(BigDecimal actualUsd, BigDecimal realtimeUsd, BigDecimal savingUsd, BigDecimal savingPercent,
                          Map<String, Part> byMode, Map<String, Part> byModel, Map<String, Part> byStage) {

    /** One mode's, model's or stage's share. */
    public record Part(BigDecimal actualUsd, BigDecimal realtimeUsd, long inputTokens, long outputTokens,
                       long cacheCreationTokens, long cacheReadTokens, long answers) {
    }

    static BigDecimal usd(BigDecimal value) {
        return value.setScale(6, RoundingMode.HALF_UP);
    }

    static BigDecimal percent(BigDecimal saving, BigDecimal realtime) {
        return realtime.signum() == 0 ? BigDecimal.ZERO.setScale(2)
                : saving.multiply(BigDecimal.valueOf(100)).divide(realtime, 2, RoundingMode.HALF_UP);
    }
}
