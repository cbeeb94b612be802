package dev.batchwise.reconciliation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.batchwise.batch.BatchWorkload.ItemOutcome;
import dev.batchwise.batch.BatchWorkload.ItemUpdate;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
        if (outcomes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        UUID[] ids = outcomes.stream().map(ItemOutcome::atomId).toArray(UUID[]::new);
        Tuple args = Tuple.tuple().addValue(ids);
        columns(outcomes.stream().map(ItemOutcome::result).toList(), outcomes.stream().map(ItemOutcome::source)
                .toList()).addTo(args);
        return tx.preparedQuery(APPLY).execute(args.addValue(llm.anthropic().model()).addValue(llm.openai().model()))
                // counted when written; a transaction rolled back later (a lost claim) may count a chunk twice
                .invoke(rows -> rows.forEach(this::count))
                .replaceWithVoid();
    }

    /**
     * Runs the batch path's item update and records the final outcomes of the items it changed in the same
     * statement: one round trip per chunk instead of two. The outcomes of all {@code results} go along by custom
     * id; those of items the update did not change (already final, or not final yet) are never written.
     */
    Uni<Integer> applyWith(SqlConnection tx, ItemUpdate items, Map<String, LlmResult> results, ResultSource source) {
        int p = items.args().size();
        List<Object> args = new ArrayList<>(p + 3);
        for (int i = 0; i < p; i++) {
            args.add(items.args().getValue(i));
        }
        List<String> customIds = List.copyOf(results.keySet());
        Columns c = columns(customIds.stream().map(results::get).toList(),
                Collections.nCopies(customIds.size(), source));
        ObjectNode byId = mapper.createObjectNode();
        for (int i = 0; i < customIds.size(); i++) {
            byId.putArray(customIds.get(i)).add(c.scores[i]).addRawValue(new RawValue(c.issues[i] == null ? "null" : c.issues[i]))
                    .add(c.sources[i]).add(c.parseIssues[i]).add(c.errors[i]).add(c.usage.input()[i])
                    .add(c.usage.output()[i]).add(c.usage.cacheCreation()[i]).add(c.usage.cacheRead()[i])
                    .add(c.modes[i]);
        }
        args.add(byId.toString());
        args.add(llm.anthropic().model());
        args.add(llm.openai().model());
        String v = "o.by_id -> c.custom_id";
        String sql = "with items as (" + items.sql() + "),"
                + " scored as (update atoms a set quality_score = (" + v + " ->> 0)::int,"
                + " quality_issues = nullif(" + v + " -> 1, 'null'::jsonb), score_source = " + v + " ->> 2,"
                + " parse_issue = " + v + " ->> 3, error = " + v + " ->> 4, input_tokens = (" + v + " ->> 5)::bigint,"
                + " output_tokens = (" + v + " ->> 6)::bigint, cache_creation_tokens = (" + v + " ->> 7)::bigint,"
                + " cache_read_tokens = (" + v + " ->> 8)::bigint, answer_mode = " + v + " ->> 9,"
                + " model = case r.provider when 'OPENAI' then $" + (p + 3) + " else $" + (p + 2) + " end,"
                + " scored_at = now(), updated_at = now()"
                // values by custom id as in the item update, so the one join is the items to their atoms' key
                + " from items c, (select $" + (p + 1) + "::text::jsonb as by_id offset 0) o, reconciliation_runs r"
                + " where a.id = c.atom_id and c.final and r.run_id = a.run_id and a.scored_at is null"
                + " returning r.provider, a.model, a.score_source as source, a.answer_mode as mode, a.input_tokens,"
                + " a.output_tokens, a.cache_creation_tokens, a.cache_read_tokens)"
                // one row even when no atom was scored, for the count of items changed
                + " select n.changed, s.* from (select count(*)::int as changed from items) n left join scored s on true";
        return tx.preparedQuery(sql).execute(Tuple.from(args)).map(rows -> {
            int changed = 0;
            for (Row row : rows) {
                changed = row.getInteger("changed");
                if (row.getString("provider") != null) {
                    count(row);
                }
            }
            return changed;
        });
    }

    /** The outcome columns of {@code results}, in the order of APPLY's $2 to $11. */
    private Columns columns(List<LlmResult> results, List<ResultSource> sources) {
        int n = results.size();
        Columns c = new Columns(new Integer[n], new String[n], new String[n], new String[n], new String[n],
                OutcomeUsage.ofResults(results), new String[n]);
        for (int i = 0; i < n; i++) {
            LlmResult result = results.get(i);
            if (!result.success()) {
                c.sources[i] = "FAILED"; // no answer, nothing billed: no mode
                c.errors[i] = result.error() == null ? "failed without a reason" : result.error().message();
                continue;
            }
            QualityAnswer answer = AtomQualityService.read(result.content());
            c.scores[i] = answer.score();
            c.issues[i] = json(answer.issues());
            c.parseIssues[i] = answer.parseIssue();
            c.modes[i] = sources.get(i).name();
            c.sources[i] = !answer.readable() ? "UNPARSEABLE" : sources.get(i) == ResultSource.BATCH ? "BATCH" : "REALTIME";
        }
        return c;
    }

    private record Columns(Integer[] scores, String[] issues, String[] sources, String[] parseIssues, String[] errors,
                           OutcomeUsage usage, String[] modes) {
        void addTo(Tuple args) {
            usage.addTo(args.addValue(scores).addValue(issues).addValue(sources).addValue(parseIssues).addValue(errors))
                    .addValue(modes);
        }
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
