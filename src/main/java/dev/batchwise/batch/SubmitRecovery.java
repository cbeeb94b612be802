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
 * A look-up the provider does not answer uses one of the job's {@code batch.submit-max-attempts}, as a failed create
 * does, so the job cannot stay in SUBMITTING for as long as the provider's batch endpoints fail (see
 * {@link #lookUpFailed}).
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
                .onItemOrFailure().transformToUni((listed, failure) -> failure != null ? lookUpFailed(job, failure)
                        : notOtherJobs(job.provider(), listed)
                        .flatMap(candidates -> job.provider() == Provider.OPENAI ? byMetadata(job, candidates)
                                : byCustomIds(job, candidates, settings)));
    }

    /**
     * The provider did not answer the look-up: this attempt has failed before its create. After
     * {@code batch.submit-max-attempts} attempts in all the job gives up and its items go to real time, so a provider
     * whose batch endpoints keep failing delays a run by the attempts' backoff, never for ever.
     * <p>
     * The trade-off: if an earlier create failed after the provider had in fact made the batch (a 5xx can come after
     * the accept), and the provider answered no look-up since, that batch is never found. It runs at the provider,
     * billed at batch price, and its results are never read, while its items are scored in real time: paid twice,
     * once at half price. Waiting until a look-up succeeds would avoid that, but would hold the run for as long as
     * the outage lasts; a provider that fails every call has rarely accepted the create, so the bound wins.
     */
    private Uni<Void> lookUpFailed(ClaimedJob job, Throwable failure) {
        if (failure instanceof LostClaimException) {
            return Uni.createFrom().failure(failure);
        }
        String error = "looking for its batch at the provider: " + failure.getMessage();
        int attempt = job.submitAttempts() + 1;
        if (attempt >= config.submitMaxAttempts()) {
            return jobs.submitAttempted(job).flatMap(counted -> submitter.giveUp(counted, error));
        }
        Duration wait = submitter.backoff(attempt);
        Log.warnf("%s submit attempt %d/%d failed (%s); tried again in %d ms", job.describe(), attempt,
                config.submitMaxAttempts(), error, wait.toMillis());
        return jobs.attemptUsed(job, wait, "submit attempt " + attempt + ": " + error);
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
