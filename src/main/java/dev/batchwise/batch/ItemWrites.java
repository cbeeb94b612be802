package dev.batchwise.batch;

import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.LlmUsage;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Applies results to a job's items with one multi-row statement per chunk, and their final outcomes to the
 * workload in the same transaction. Only items in {@code fromStatuses} change, so an item that SUCCEEDED (or
 * FAILED) is never written again: a chunk applied twice, after a crash or a second download, changes nothing.
 */
@ApplicationScoped
class ItemWrites {

    private static final String APPLY = "update batch_items i set status = u.status, error_type = u.error_type,"
            + " error = u.error, input_tokens = u.input_tokens, output_tokens = u.output_tokens,"
            + " cache_creation_tokens = u.cache_creation_tokens, cache_read_tokens = u.cache_read_tokens,"
            + " result_source = $3::text, updated_at = now(),"
            // a batch answer counts the batch send here rather than at submit: one write per item instead of two,
            // so both fit in place on the page (HOT); real-time sends were counted when they were made
            + " attempts = i.attempts + case when $3::text = 'BATCH' then 1 else 0 end"
            + " from unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[],"
            + " $11::bigint[]) as u(custom_id, status, error_type, error, input_tokens, output_tokens,"
            + " cache_creation_tokens, cache_read_tokens)"
            + " where i.job_id = $1 and i.custom_id = u.custom_id and i.status = any($2::text[])"
            + " returning i.custom_id, i.atom_id, i.status";

    private final BatchWorkload workload;

    ItemWrites(BatchWorkload workload) {
        this.workload = workload;
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
        int n = results.size();
        String[] customIds = new String[n];
        String[] statuses = new String[n];
        String[] errorTypes = new String[n];
        String[] errors = new String[n];
        Long[] input = new Long[n];
        Long[] output = new Long[n];
        Long[] cacheCreation = new Long[n];
        Long[] cacheRead = new Long[n];
        Map<String, LlmResult> byCustomId = new HashMap<>();
        int k = 0;
        for (LlmResult result : results) {
            if (result.customId() == null || byCustomId.putIfAbsent(result.customId(), result) != null) {
                Log.warnf("job=%s a result for custom_id %s came twice; the first one counts", jobId, result.customId());
                continue;
            }
            LlmUsage usage = result.usage() == null ? LlmUsage.ZERO : result.usage();
            customIds[k] = result.customId();
            statuses[k] = statusOf(result).name();
            errorTypes[k] = result.error() == null ? null : result.error().type().name();
            errors[k] = result.error() == null ? null : result.error().message();
            input[k] = usage.inputTokens();
            output[k] = usage.outputTokens();
            cacheCreation[k] = usage.cacheCreationTokens();
            cacheRead[k] = usage.cacheReadTokens();
            k++;
        }
        if (k == 0) {
            return Uni.createFrom().item(0);
        }
        int size = k;
        Tuple args = Tuple.tuple().addValue(jobId)
                .addValue(fromStatuses.stream().map(Enum::name).toArray(String[]::new))
                .addValue(source.name())
                .addValue(trim(customIds, size)).addValue(trim(statuses, size)).addValue(trim(errorTypes, size))
                .addValue(trim(errors, size)).addValue(trim(input, size)).addValue(trim(output, size))
                .addValue(trim(cacheCreation, size)).addValue(trim(cacheRead, size));
        return tx.preparedQuery(APPLY).execute(args).flatMap(rows -> {
            List<BatchWorkload.ItemOutcome> outcomes = new ArrayList<>();
            rows.forEach(row -> {
                ItemStatus status = ItemStatus.valueOf(row.getString("status"));
                if (status == ItemStatus.SUCCEEDED || status == ItemStatus.FAILED) {
                    outcomes.add(new BatchWorkload.ItemOutcome(row.getUUID("atom_id"),
                            byCustomId.get(row.getString("custom_id")), source));
                }
            });
            int changed = rows.rowCount();
            return outcomes.isEmpty() ? Uni.createFrom().item(changed)
                    : workload.apply(tx, job.stage(), outcomes).replaceWith(changed);
        });
    }

    private static <T> T[] trim(T[] values, int size) {
        return values.length == size ? values : java.util.Arrays.copyOf(values, size);
    }
}
