package dev.batchwise.reconciliation;

import dev.batchwise.batch.BatchWorkload.ItemOutcome;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.LlmUsage;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.List;

/** The usage of outcomes, column by column, as the multi-row statements that record them take it. */
record OutcomeUsage(Long[] input, Long[] output, Long[] cacheCreation, Long[] cacheRead) {

    static OutcomeUsage of(List<ItemOutcome> outcomes) {
        return ofResults(outcomes.stream().map(ItemOutcome::result).toList());
    }

    static OutcomeUsage ofResults(List<LlmResult> results) {
        int n = results.size();
        OutcomeUsage usage = new OutcomeUsage(new Long[n], new Long[n], new Long[n], new Long[n]);
        for (int i = 0; i < n; i++) {
            LlmUsage u = results.get(i).usage() == null ? LlmUsage.ZERO : results.get(i).usage();
            usage.input[i] = u.inputTokens();
            usage.output[i] = u.outputTokens();
            usage.cacheCreation[i] = u.cacheCreationTokens();
            usage.cacheRead[i] = u.cacheReadTokens();
        }
        return usage;
    }

    /** Adds the four columns to {@code args}, in the order input, output, cache creation, cache read. */
    Tuple addTo(Tuple args) {
        return args.addValue(input).addValue(output).addValue(cacheCreation).addValue(cacheRead);
    }
}
