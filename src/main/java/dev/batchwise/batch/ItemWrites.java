package dev.batchwise.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.LlmUsage;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Applies results to a job's items with one multi-row statement per chunk, and their final outcomes to the
 * workload in the same transaction (in the same statement when the workload joins its write to it). Only items in {@code fromStatuses} change, so an item that SUCCEEDED (or
 * FAILED) is never written again: a chunk applied twice, after a crash or a second download, changes nothing.
 */
@ApplicationScoped
class ItemWrites {

    /**
     * The chunk's values go as one JSON object keyed by custom id (an array of the item's columns), looked up per
     * item, not as arrays joined to the table: with no join there is no join order for the planner to get wrong.
     * It chose a nested loop that re-read the 500-row array per item when its statistics said that few items are
     * PENDING (ANALYZEd after the last collect), and hashed the job's every item per chunk when the table had no
     * statistics yet. What remains is one scan of the chunk's items through the (job_id, custom_id) key.
     */
    private static final String APPLY = "update batch_items i set status = r.by_id -> i.custom_id ->> 0,"
            + " error_type = r.by_id -> i.custom_id ->> 1, error = r.by_id -> i.custom_id ->> 2,"
            + " input_tokens = (r.by_id -> i.custom_id ->> 3)::bigint, output_tokens = (r.by_id -> i.custom_id ->> 4)::bigint,"
            + " cache_creation_tokens = (r.by_id -> i.custom_id ->> 5)::bigint,"
            + " cache_read_tokens = (r.by_id -> i.custom_id ->> 6)::bigint,"
            + " result_source = $3::text, updated_at = now(),"
            // a batch answer counts the batch send here rather than at submit: one write per item instead of two,
            // so both fit in place on the page (HOT); real-time sends were counted when they were made
            + " attempts = i.attempts + case when $3::text = 'BATCH' then 1 else 0 end"
            // offset 0: parsed once per statement, even in a generic plan
            + " from (select $5::text::jsonb as by_id offset 0) r"
            + " where i.job_id = $1 and i.custom_id = any($4::text[]) and i.status = any($2::text[])"
            + " returning i.custom_id, i.atom_id, i.status in ('SUCCEEDED', 'FAILED') as final";

    private final BatchWorkload workload;
    private final ObjectMapper mapper;

    ItemWrites(BatchWorkload workload, ObjectMapper mapper) {
        this.workload = workload;
        this.mapper = mapper;
    }

    /** What became of one result: retried later (ERRORED), or final (SUCCEEDED, FAILED). */
    static ItemStatus statusOf(LlmResult result) {
        if (result.success()) {
            return ItemStatus.SUCCEEDED;
        }
        return result.error() != null && result.error().type().retryable() ? ItemStatus.ERRORED : ItemStatus.FAILED;
    }

    /** Applies {@code results} to the job's items that are in one of {@code fromStatuses}; the number changed. */
    Uni<Integer> apply(SqlConnection tx, ClaimedJob job, List<LlmResult> results, BatchWorkload.ResultSource source,
                       List<ItemStatus> fromStatuses) {
        UUID jobId = job.id();
        ObjectNode values = mapper.createObjectNode();
        Map<String, LlmResult> byCustomId = new HashMap<>();
        for (LlmResult result : results) {
            if (result.customId() == null || byCustomId.putIfAbsent(result.customId(), result) != null) {
                Log.warnf("job=%s a result for custom_id %s came twice; the first one counts", jobId, result.customId());
                continue;
            }
            LlmUsage usage = result.usage() == null ? LlmUsage.ZERO : result.usage();
            values.putArray(result.customId()).add(statusOf(result).name())
                    .add(result.error() == null ? null : result.error().type().name())
                    .add(result.error() == null ? null : result.error().message())
                    .add(usage.inputTokens()).add(usage.outputTokens())
                    .add(usage.cacheCreationTokens()).add(usage.cacheReadTokens());
        }
        if (byCustomId.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Tuple args = Tuple.tuple().addValue(jobId)
                .addValue(fromStatuses.stream().map(Enum::name).toArray(String[]::new))
                .addValue(source.name())
                .addValue(byCustomId.keySet().toArray(String[]::new))
                .addValue(values.toString());
        return workload.applyWith(tx, job.stage(), new BatchWorkload.ItemUpdate(APPLY, args), byCustomId, source);
    }
}
