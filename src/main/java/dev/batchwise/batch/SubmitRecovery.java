package dev.batchwise.batch;

import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.ProviderBatch;
import dev.batchwise.llm.ProviderBatchInfo;
import dev.batchwise.settings.EffectiveBatchSettings;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A job found in SUBMITTING whose worker is gone: the provider may have accepted its batch just before the crash.
 * Before submitting again, look for that batch, so a job never has two provider batches:
 * <ul>
 * <li>OpenAI keeps our job id in the batch's metadata: list the batches created since the submit began.</li>
 * <li>Anthropic keeps no metadata, but every custom id carries the job's prefix ({@link CustomIdPrefix}): among the
 *     batches created since then, of the job's size and not another job's, an ended one is matched by its first
 *     result line. A candidate that is still running cannot be read yet, so the job waits for it rather than
 *     risk a second batch.</li>
 * </ul>
 */
@ApplicationScoped
class SubmitRecovery {

    /** Provider clocks and ours differ; look this far before the submit began. */
    private static final Duration CLOCK_MARGIN = Duration.ofMinutes(10);

    private final JobStore jobs;
    private final BatchLlmService batches;
    private final BatchSubmitter submitter;
    private final BatchConfig config;

    SubmitRecovery(JobStore jobs, BatchLlmService batches, BatchSubmitter submitter, BatchConfig config) {
        this.jobs = jobs;
        this.batches = batches;
        this.submitter = submitter;
        this.config = config;
    }

    /** One recovery step of a job found in SUBMITTING, with the settings of this poller round. */
    Uni<Void> recover(ClaimedJob job, EffectiveBatchSettings settings) {
        Instant since = (job.submittingAt() == null ? Instant.now() : job.submittingAt().toInstant()).minus(CLOCK_MARGIN);
        return batches.listSince(job.provider(), since).collect().asList()
                .flatMap(listed -> notOtherJobs(job.provider(), listed))
                .flatMap(candidates -> job.provider() == Provider.OPENAI ? byMetadata(job, candidates)
                        : byCustomIds(job, candidates, settings));
    }

    private Uni<Void> byMetadata(ClaimedJob job, List<ProviderBatchInfo> candidates) {
        Optional<ProviderBatchInfo> found = candidates.stream()
                .filter(b -> job.id().toString().equals(b.metadata().get(BatchSubmitter.JOB_ID_METADATA))).findFirst();
        return found.isPresent() ? adopt(job, found.get()) : resubmit(job);
    }

    private Uni<Void> byCustomIds(ClaimedJob job, List<ProviderBatchInfo> candidates, EffectiveBatchSettings settings) {
        List<ProviderBatchInfo> sameSize = candidates.stream()
                .filter(b -> b.status().totals().submitted() == job.totalRequests()).toList();
        List<ProviderBatchInfo> ended = sameSize.stream().filter(b -> b.status().status().isFinal()).toList();
        int running = sameSize.size() - ended.size();
        return Multi.createFrom().iterable(ended)
                .onItem().transformToUniAndConcatenate(b -> batches.results(job.provider(), b.providerBatchId())
                        .select().first().collect().first()
                        .map(first -> new Read(b, first == null ? null : first.customId(), null))
                        .onFailure().recoverWithItem(failure -> new Read(b, null, failure)))
                .collect().asList()
                .flatMap(reads -> {
                    Optional<Read> match = reads.stream()
                            .filter(r -> CustomIdPrefix.belongsTo(r.firstCustomId(), job.id())).findFirst();
                    if (match.isPresent()) {
                        return adopt(job, match.get().batch());
                    }
                    List<Read> unread = reads.stream().filter(r -> r.failure() != null).toList();
                    if (running > 0 || !unread.isEmpty()) {
                        // a batch that cannot be read yet may be this job's: never risk a second one
                        Log.infof("%s may be one of %d running and %d unreadable batches of its size; waiting until"
                                + " they can be read%s", job.describe(), running, unread.size(), unread.isEmpty() ? ""
                                : " (" + unread.get(0).failure().getMessage() + ")");
                        return jobs.release(job, Duration.ofMillis(settings.pollIntervalMs().value()), null);
                    }
                    return resubmit(job);
                });
    }

    /** An ended candidate batch and the custom id of its first result line (or why it could not be read). */
    private record Read(ProviderBatchInfo batch, String firstCustomId, Throwable failure) {
    }

    private Uni<Void> adopt(ClaimedJob job, ProviderBatchInfo batch) {
        Log.infof("%s was accepted before a crash as batch=%s: adopted, not submitted again", job.describe(),
                batch.providerBatchId());
        return jobs.submitted(job, new ProviderBatch(job.provider(), batch.providerBatchId(), job.totalRequests(),
                batch.createdAt()));
    }

    private Uni<Void> resubmit(ClaimedJob job) {
        Log.infof("%s has no batch at the provider: submitting it again", job.describe());
        return jobs.submitAttempted(job).flatMap(submitter::submit);
    }

    /** Drops the batches that already belong to a job. */
    private Uni<List<ProviderBatchInfo>> notOtherJobs(Provider provider, List<ProviderBatchInfo> listed) {
        if (listed.isEmpty()) {
            return Uni.createFrom().item(listed);
        }
        String[] ids = listed.stream().map(ProviderBatchInfo::providerBatchId).toArray(String[]::new);
        return jobs.pool().preparedQuery("select provider_batch_id from batch_jobs where provider = $1"
                        + " and provider_batch_id = any($2)")
                .execute(Tuple.of(provider.name(), ids))
                .map(rows -> {
                    Set<String> taken = new HashSet<>();
                    rows.forEach(row -> taken.add(row.getString("provider_batch_id")));
                    return listed.stream().filter(b -> !taken.contains(b.providerBatchId())).toList();
                });
    }
}
