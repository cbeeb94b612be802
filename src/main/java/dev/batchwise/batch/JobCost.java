package dev.batchwise.batch;

import dev.batchwise.cost.Mode;
import dev.batchwise.cost.Pricing;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.Provider;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * What a job's answers cost: each item's usage at the price it was billed (batch price for answers collected from
 * the batch, full price for real-time retries), and the same usage at real-time prices. PostgreSQL sums the tokens
 * by source and price band, so a job of 5,000 items comes back as at most four rows.
 */
@ApplicationScoped
class JobCost {

    private static final String SUMS = "select result_source,"
            + " (input_tokens + cache_read_tokens + cache_creation_tokens) > $2 as long_prompt,"
            + " sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens,"
            + " sum(cache_creation_tokens) as cache_creation_tokens, sum(cache_read_tokens) as cache_read_tokens"
            + " from batch_items where job_id = $1 and result_source is not null group by 1, 2";

    private final Pricing pricing;
    private final LlmConfig llm;

    JobCost(Pricing pricing, LlmConfig llm) {
        this.pricing = pricing;
        this.llm = llm;
    }

    /** The job's cost; empty when its model has no prices (an unknown cost is shown as unknown, never as 0). */
    Uni<Optional<Pricing.Price>> of(SqlConnection tx, ClaimedJob job) {
        String model = job.provider() == Provider.OPENAI ? llm.openai().model() : llm.anthropic().model();
        if (!pricing.knows(model)) {
            return Uni.createFrom().item(Optional.empty());
        }
        long above = pricing.longPromptAbove(model).orElse(Long.MAX_VALUE);
        return tx.preparedQuery(SUMS).execute(Tuple.of(job.id(), above)).map(rows -> {
            Pricing.Price total = Pricing.Price.ZERO;
            for (Row row : rows) {
                LlmUsage usage = new LlmUsage(row.getLong("input_tokens"), row.getLong("output_tokens"),
                        row.getLong("cache_creation_tokens"), row.getLong("cache_read_tokens"));
                Mode mode = Mode.valueOf(row.getString("result_source"));
                total = total.plus(pricing.price(job.provider(), model, mode, usage, row.getBoolean("long_prompt")));
            }
            return Optional.of(total);
        });
    }
}
