package dev.batchwise.reconciliation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.batch.BatchWorkload.ItemOutcome;
import dev.batchwise.batch.BatchWorkload.ResultSource;
import dev.batchwise.batch.BatchWorkload.WorkItem;
import dev.batchwise.database.Database;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.scoring.AtomInferenceService;
import dev.batchwise.scoring.InferenceAnswer;
import dev.batchwise.status.RunStage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Stage inferring: the subjects are tests; a test's request carries its context, its answer is read into atoms
 * ({@link AtomInferenceService#read}) and stored on the test, with its usage. A test that already has an outcome is
 * never written again. When every test has one, {@link InferenceCompletion} hands the atoms on to verifying.
 */
@ApplicationScoped
class TestWorkload implements StageWork {

    private static final String APPLY = "update inference_tests t set atoms = u.atoms::jsonb, answer_source = u.source,"
            + " parse_issue = u.parse_issue, error = u.error, input_tokens = u.input_tokens,"
            + " output_tokens = u.output_tokens, cache_creation_tokens = u.cache_creation_tokens,"
            + " cache_read_tokens = u.cache_read_tokens, answer_mode = u.mode,"
            + " model = case r.provider when 'OPENAI' then $12 else $11 end, inferred_at = now(), updated_at = now()"
            + " from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],"
            + " $8::bigint[], $9::bigint[], $10::text[]) as u(id, atoms, source, parse_issue, error, input_tokens,"
            + " output_tokens, cache_creation_tokens, cache_read_tokens, mode), reconciliation_runs r"
            + " where t.id = u.id and r.run_id = t.run_id and t.inferred_at is null";

    /** One atom as stored on its test: its place in the answer (for its tempId), description and category. */
    record StoredAtom(int index, String description, String category) {
    }

    private final Database database;
    private final ObjectMapper mapper;
    private final LlmConfig llm;
    private final InferenceCompletion completion;

    TestWorkload(Database database, ObjectMapper mapper, LlmConfig llm, InferenceCompletion completion) {
        this.database = database;
        this.mapper = mapper;
        this.llm = llm;
        this.completion = completion;
    }

    @Override
    public RunStage stage() {
        return RunStage.INFERRING;
    }

    @Override
    public String subjects() {
        return "tests";
    }

    /** The inference request of a stored test, under {@code customId}. */
    static LlmRequest request(String customId, Row test) {
        return AtomInferenceService.request(customId, test.getString("test_id"), test.getString("name"),
                test.getString("context"));
    }

    @Override
    public Uni<List<LlmRequest>> requests(List<WorkItem> items) {
        UUID[] ids = items.stream().map(WorkItem::atomId).toArray(UUID[]::new);
        return database.pool().preparedQuery("select id, test_id, name, context from inference_tests where id = any($1)")
                .execute(Tuple.of(ids)).map(rows -> {
                    Map<UUID, Row> byId = new HashMap<>();
                    rows.forEach(row -> byId.put(row.getUUID("id"), row));
                    List<LlmRequest> requests = new ArrayList<>(items.size());
                    for (WorkItem item : items) {
                        Row test = byId.get(item.atomId());
                        if (test == null) {
                            throw new IllegalStateException("item " + item.customId() + " names test " + item.atomId()
                                    + ", which does not exist");
                        }
                        requests.add(request(item.customId(), test));
                    }
                    return requests;
                });
    }

    @Override
    public Uni<List<LlmRequest>> unfinished(SqlClient client, String runId) {
        return client.preparedQuery("select id, test_id, name, context from inference_tests where run_id = $1"
                        + " and inferred_at is null order by part, position")
                .execute(Tuple.of(runId)).map(rows -> {
                    List<LlmRequest> requests = new ArrayList<>(rows.size());
                    rows.forEach(row -> requests.add(request(row.getUUID("id").toString(), row)));
                    return requests;
                });
    }

    @Override
    public Uni<Void> apply(SqlConnection tx, List<ItemOutcome> outcomes) {
        int n = outcomes.size();
        if (n == 0) {
            return Uni.createFrom().voidItem();
        }
        UUID[] ids = new UUID[n];
        String[] atoms = new String[n];
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
                atoms[i] = "[]";
                continue;
            }
            InferenceAnswer answer = AtomInferenceService.read(result.content());
            atoms[i] = json(answer.atoms().stream().map(a -> new StoredAtom(a.index(), a.description(), a.category()))
                    .toList());
            parseIssues[i] = answer.parseIssue();
            modes[i] = outcome.source().name();
            sources[i] = !answer.readable() ? "UNPARSEABLE" : outcome.source() == ResultSource.BATCH ? "BATCH" : "REALTIME";
        }
        Tuple args = Tuple.tuple().addValue(ids).addValue(atoms).addValue(sources).addValue(parseIssues)
                .addValue(errors);
        return tx.preparedQuery(APPLY).execute(OutcomeUsage.of(outcomes).addTo(args).addValue(modes)
                        .addValue(llm.anthropic().model()).addValue(llm.openai().model()))
                .replaceWithVoid();
    }

    /** Tests that cannot be sent at all (too large): FAILED with {@code reasons}, before any batch is planned. */
    Uni<Void> refuse(SqlConnection tx, List<UUID> tests, List<String> reasons) {
        if (tests.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("update inference_tests t set atoms = '[]'::jsonb, answer_source = 'FAILED',"
                        + " error = u.error, inferred_at = now(), updated_at = now()"
                        + " from unnest($1::uuid[], $2::text[]) as u(id, error) where t.id = u.id and t.inferred_at is null")
                .execute(Tuple.of(tests.toArray(UUID[]::new), reasons.toArray(String[]::new))).replaceWithVoid();
    }

    @Override
    public Uni<Boolean> finishIfDone(SqlConnection tx, String runId) {
        return completion.finishIfDone(tx, runId);
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
