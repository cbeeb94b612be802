package dev.batchwise.cost;

import dev.batchwise.database.Database;
import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.Provider;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Costs from the usage stored on atoms (stage verifying) and on the tests of inference runs (stage inferring).
 * PostgreSQL sums the tokens by mode, provider, model and price band (each
 * answer's band from its own prompt length, the thresholds passed in), so a run of 100,000 atoms comes back as a
 * handful of rows; prices are linear within a band, so pricing the sums equals summing per-answer prices.
 */
@ApplicationScoped
class CostQueries {

    private static final String SUMS = "select a.stage, a.answer_mode, r.provider, a.model,"
            + " (a.input_tokens + a.cache_read_tokens + a.cache_creation_tokens) > coalesce(t.above, 9223372036854775807)"
            + " as long_prompt, sum(a.input_tokens) as input_tokens, sum(a.output_tokens) as output_tokens,"
            + " sum(a.cache_creation_tokens) as cache_creation_tokens, sum(a.cache_read_tokens) as cache_read_tokens,"
            + " count(*) as answers"
            + " from reconciliation_runs r join ("
            + "   select 'verifying' as stage, run_id, answer_mode, model, input_tokens, output_tokens,"
            + "   cache_creation_tokens, cache_read_tokens from atoms"
            + "   union all select 'inferring', run_id, answer_mode, model, input_tokens, output_tokens,"
            + "   cache_creation_tokens, cache_read_tokens from inference_tests) a on a.run_id = r.run_id"
            + " left join unnest($1::text[], $2::bigint[]) as t(model, above) on t.model = a.model"
            + " where a.answer_mode is not null and %s"
            + " group by 1, 2, 3, 4, 5";

    private final Database database;
    private final Pricing pricing;
    private final CostConfig config;

    CostQueries(Database database, Pricing pricing, CostConfig config) {
        this.database = database;
        this.pricing = pricing;
        this.config = config;
    }

    /** The run's cost; null when there is no such run. */
    Uni<CostSummary> run(String runId) {
        return database.pool().preparedQuery("select 1 from reconciliation_runs where run_id = $1")
                .execute(Tuple.of(runId))
                .flatMap(found -> found.size() == 0 ? Uni.createFrom().nullItem()
                        : sums("r.run_id = $3", runId).map(this::summary));
    }

    /** The cost of the runs received in [from, to); either end open when absent. */
    Uni<CostSummary> between(OffsetDateTime from, OffsetDateTime to) {
        return sums("($3::timestamptz is null or r.received_at >= $3) and ($4::timestamptz is null or r.received_at < $4)",
                from, to).map(this::summary);
    }

    private Uni<RowSet<Row>> sums(String where, Object... args) {
        List<String> models = new ArrayList<>();
        List<Long> thresholds = new ArrayList<>();
        config.models().forEach((model, prices) -> prices.longPrompt().ifPresent(band -> {
            models.add(model);
            thresholds.add(band.aboveTokens());
        }));
        Tuple tuple = Tuple.tuple().addValue(models.toArray(String[]::new)).addValue(thresholds.toArray(Long[]::new));
        for (Object arg : args) {
            tuple.addValue(arg);
        }
        return database.pool().preparedQuery(SUMS.formatted(where)).execute(tuple);
    }

    private CostSummary summary(RowSet<Row> rows) {
        Map<String, Accumulator> byMode = new TreeMap<>();
        Map<String, Accumulator> byModel = new TreeMap<>();
        Map<String, Accumulator> byStage = new TreeMap<>();
        Accumulator total = new Accumulator();
        for (Row row : rows) {
            Mode mode = Mode.valueOf(row.getString("answer_mode"));
            String model = row.getString("model");
            LlmUsage usage = new LlmUsage(row.getLong("input_tokens"), row.getLong("output_tokens"),
                    row.getLong("cache_creation_tokens"), row.getLong("cache_read_tokens"));
            Pricing.Price price = pricing.price(Provider.valueOf(row.getString("provider")), model, mode, usage,
                    row.getBoolean("long_prompt"));
            long answers = row.getLong("answers");
            total.add(price, usage, answers);
            byMode.computeIfAbsent(mode.key(), k -> new Accumulator()).add(price, usage, answers);
            byModel.computeIfAbsent(model, k -> new Accumulator()).add(price, usage, answers);
            byStage.computeIfAbsent(row.getString("stage"), k -> new Accumulator()).add(price, usage, answers);
        }
        BigDecimal saving = total.price.realtimeUsd().subtract(total.price.actualUsd());
        return new CostSummary(CostSummary.usd(total.price.actualUsd()), CostSummary.usd(total.price.realtimeUsd()),
                CostSummary.usd(saving), CostSummary.percent(saving, total.price.realtimeUsd()),
                parts(byMode), parts(byModel), parts(byStage));
    }

    private static Map<String, CostSummary.Part> parts(Map<String, Accumulator> accumulators) {
        Map<String, CostSummary.Part> parts = new TreeMap<>();
        accumulators.forEach((key, a) -> parts.put(key, a.part()));
        return parts;
    }

    private static final class Accumulator {
        private Pricing.Price price = Pricing.Price.ZERO;
        private LlmUsage usage = LlmUsage.ZERO;
        private long answers;

        void add(Pricing.Price p, LlmUsage u, long n) {
            price = price.plus(p);
            usage = usage.plus(u);
            answers += n;
        }

        CostSummary.Part part() {
            return new CostSummary.Part(CostSummary.usd(price.actualUsd()), CostSummary.usd(price.realtimeUsd()),
                    usage.inputTokens(), usage.outputTokens(), usage.cacheCreationTokens(), usage.cacheReadTokens(),
                    answers);
        }
    }
}
