package dev.batchwise.reconciliation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.batch.BatchWorkload.ItemOutcome;
import dev.batchwise.batch.BatchWorkload.ResultSource;
import dev.batchwise.cost.CostMetrics;
import dev.batchwise.cost.Mode;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.LlmUsage;
import dev.batchwise.scoring.AtomQualityService;
import dev.batchwise.scoring.QualityAnswer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * Records outcomes on atoms with one multi-row statement: the score and issues of a readable answer (with its
 * note when the score was clamped), the parse issue of an unreadable one, the reason of a failed call; and the
 * usage either way. An atom that already has an
 * outcome is never written again. Scores sort atoms for review; nothing here ever drops one.
 */
@ApplicationScoped
class AtomScores {

    private static final String APPLY = "update atoms a set quality_score = u.score, quality_issues = u.issues::jsonb,"
            + " score_source = u.source, parse_issue = u.parse_issue, error = u.error,"
            + " input_tokens = u.input_tokens, output_tokens = u.output_tokens,"
            + " cache_creation_tokens = u.cache_creation_tokens, cache_read_tokens = u.cache_read_tokens,"
            // the mode an answer was billed at, whether or not it could be read; the model the request used
            + " answer_mode = u.mode, model = case r.provider when 'OPENAI' then $13 else $12 end,"
            + " scored_at = now(), updated_at = now()"
            + " from unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],"
            + " $8::bigint[], $9::bigint[], $10::bigint[], $11::text[]) as u(id, score, issues, source, parse_issue,"
            + " error, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, mode),"
            + " reconciliation_runs r"
            + " where a.id = u.id and r.run_id = a.run_id and a.scored_at is null"
            + " returning r.provider, a.model, u.source, u.mode, u.input_tokens, u.output_tokens,"
            + " u.cache_creation_tokens, u.cache_read_tokens";

    private final ObjectMapper mapper;
    private final LlmConfig llm;
    private final CostMetrics metrics;

    AtomScores(ObjectMapper mapper, LlmConfig llm, CostMetrics metrics) {
        this.mapper = mapper;
        this.llm = llm;
        this.metrics = metrics;
    }

    Uni<Void> apply(SqlConnection tx, List<ItemOutcome> outcomes) {
        int n = outcomes.size();
        if (n == 0) {
            return Uni.createFrom().voidItem();
        }
        UUID[] ids = new UUID[n];
        Integer[] scores = new Integer[n];
        String[] issues = new String[n];
        String[] sources = new String[n];
        String[] parseIssues = new String[n];
        String[] errors = new String[n];
        String[] modes = new String[n];
        for (int i = 0; i < n; i++) {
            ItemOutcome outcome = outcomes.get(i);
            LlmResult result = outcome.result();
            ids[i] = outcome.atomId();
            if (!result.success()) {
                sources[i] = "FAILED"; // no answer, nothing billed: no mode
                errors[i] = result.error() == null ? "failed without a reason" : result.error().message();
                continue;
            }
            QualityAnswer answer = AtomQualityService.read(result.content());
            scores[i] = answer.score();
            issues[i] = json(answer.issues());
            parseIssues[i] = answer.parseIssue();
            modes[i] = outcome.source().name();
            sources[i] = !answer.readable() ? "UNPARSEABLE" : outcome.source() == ResultSource.BATCH ? "BATCH" : "REALTIME";
        }
        Tuple args = Tuple.tuple().addValue(ids).addValue(scores).addValue(issues).addValue(sources)
                .addValue(parseIssues).addValue(errors);
        return tx.preparedQuery(APPLY).execute(OutcomeUsage.of(outcomes).addTo(args).addValue(modes)
                        .addValue(llm.anthropic().model()).addValue(llm.openai().model()))
                // counted when written; a transaction rolled back later (a lost claim) may count a chunk twice
                .invoke(rows -> rows.forEach(this::count))
                .replaceWithVoid();
    }

    private void count(Row row) {
        String source = row.getString("source");
        CostMetrics.Outcome outcome = switch (source) {
            case "FAILED" -> CostMetrics.Outcome.FAILED;
            case "UNPARSEABLE" -> CostMetrics.Outcome.UNPARSEABLE;
            default -> CostMetrics.Outcome.SCORED;
        };
        Mode mode = row.getString("mode") == null ? Mode.REALTIME : Mode.valueOf(row.getString("mode"));
        metrics.recorded(Provider.valueOf(row.getString("provider")), row.getString("model"), mode, outcome,
                new LlmUsage(row.getLong("input_tokens"), row.getLong("output_tokens"),
                        row.getLong("cache_creation_tokens"), row.getLong("cache_read_tokens")));
    }

    private String json(List<String> issues) {
        try {
            return mapper.writeValueAsString(issues);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
