package dev.batchwise.batch;

import dev.batchwise.llm.BatchJobStatus;
import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.BatchStatus;
import dev.batchwise.llm.LlmException;
import io.quarkus.logging.Log;
import dev.batchwise.platform.Periodic;
import dev.batchwise.settings.EffectiveBatchSettings;
import dev.batchwise.settings.RuntimeSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Poll: every round, claims the jobs that are due ({@code next_poll_at <= now()}, FOR UPDATE SKIP LOCKED, so any
 * number of instances share them and none is worked on by two at once) and moves each one step on: recover a
 * submit, poll the provider, collect, retry items. A job whose worker died comes due again when its lease runs
 * out, so a restart (or another instance) picks up every unfinished job: nothing lives only in memory.
 */
@ApplicationScoped
class BatchPoller {

    /** The longest wait between polls after failures. */
    private static final Duration MAX_POLL_BACKOFF = Duration.ofMinutes(10);

    private final JobStore jobs;
    private final BatchLlmService batches;
    private final BatchConfig config;
    private final BatchCollector collector;
    private final ItemRetrier retrier;
    private final SubmitRecovery recovery;
    private final RuntimeSettings settings;
    private final BatchMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private Cancellable ticks = () -> { };

    BatchPoller(JobStore jobs, BatchLlmService batches, BatchConfig config, BatchCollector collector,
                ItemRetrier retrier, SubmitRecovery recovery, RuntimeSettings settings, BatchMetrics metrics) {
        this.jobs = jobs;
        this.batches = batches;
        this.config = config;
        this.collector = collector;
        this.retrier = retrier;
        this.recovery = recovery;
        this.settings = settings;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent ignored,
               @ConfigProperty(name = "batchwise.poller.interval", defaultValue = "1s") Duration interval) {
        ticks = Periodic.every("batch poller", interval, this::round);
    }

    void stop(@Observes ShutdownEvent ignored) {
        ticks.cancel();
    }

    Uni<Void> round() {
        if (inFlight.get() >= config.claimsPerRound()) {
            return Uni.createFrom().voidItem();
        }
        return jobs.claimDue().flatMap(claimed -> claimed.isEmpty() ? Uni.createFrom().voidItem()
                        : settingsOfThisRound().invoke(current -> claimed.forEach(job -> {
                            inFlight.incrementAndGet();
                            // each job goes on by itself: a long collect never holds up the polls of others
                            step(job, current).onTermination().invoke(inFlight::decrementAndGet)
                                    .subscribe().with(ignored -> { }, failure -> { });
                        })).replaceWithVoid())
                .onFailure().invoke(failure -> Log.warnf("poller: could not claim jobs (retried next round): %s",
                        failure.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * pollIntervalMs as it is now, read once for the jobs claimed in a round (so a change applies from the next
     * round); the environment's values when the row cannot be read, rather than leaving claimed jobs idle.
     */
    private Uni<EffectiveBatchSettings> settingsOfThisRound() {
        return settings.batch().onFailure().recoverWithItem(failure -> {
            Log.warnf("poller: could not read the runtime settings, using the environment's this round: %s",
                    failure.toString());
            return settings.environmentOnly();
        });
    }

    private Uni<Void> step(ClaimedJob job, EffectiveBatchSettings current) {
        Log.debugf("%s claimed in %s", job.describe(), job.status());
        Uni<Void> step = switch (job.status()) {
            case SUBMITTING -> recovery.recover(job, current);
            case SUBMITTED, PROCESSING -> poll(job, current);
            case TIMED_OUT -> job.collectedAt() == null ? poll(job, current) : retrier.retry(job);
            case COLLECTING -> collector.collect(job);
            case COMPLETED, FAILED, EXPIRED, CANCELLED -> retrier.retry(job);
            case PREPARED -> Uni.createFrom().voidItem();
        };
        return step.onFailure(LostClaimException.class).recoverWithItem(failure -> {
                    Log.infof("%s: %s", job.describe(), failure.getMessage());
                    return null;
                })
                .onFailure().recoverWithUni(failure -> {
                    Log.warnf(failure, "%s step in %s failed; retried later", job.describe(), job.status());
                    return jobs.release(job, backoff(job, current), failure.toString()).onFailure().recoverWithNull();
                })
                .invoke(() -> Log.debugf("%s released", job.describe()));
    }

    private Uni<Void> poll(ClaimedJob job, EffectiveBatchSettings current) {
        // the provider's status call alone is timed: what we wait on per poll
        return Uni.createFrom().deferred(() -> {
                    var sample = metrics.pollStarted();
                    return batches.status(job.provider(), job.providerBatchId())
                            .onItemOrFailure().invoke((ok, failure) -> metrics.polled(sample, job.provider(), failure == null));
                })
                .flatMap(status -> {
                    if (status.status().isFinal()) {
                        Log.infof("%s ended at the provider: %s %s", job.describe(), status.status(), status.totals());
                        return jobs.ended(job, status).flatMap(collector::collect);
                    }
                    if (job.cancelRequestedAt() == null && job.timeoutAt() != null
                            && OffsetDateTime.now().isAfter(job.timeoutAt())) {
                        return cancel(job, status, current);
                    }
                    JobStatus next = job.status() == JobStatus.TIMED_OUT ? JobStatus.TIMED_OUT
                            : status.status() == BatchStatus.SUBMITTED ? JobStatus.SUBMITTED : JobStatus.PROCESSING;
                    boolean changed = next != job.status() || !status.status().name().equals(job.providerStatus())
                            || status.totals().succeeded() != job.completedRequests()
                            || status.totals().failed() != job.failedRequests();
                    return jobs.polled(job, next, status, changed,
                            Duration.ofMillis(current.pollIntervalMs().value()));
                })
                .onFailure(failure -> !(failure instanceof LostClaimException)).recoverWithUni(failure -> {
                    if (failure instanceof LlmException.NotFound) {
                        // the provider no longer knows the batch (deleted by hand?): nothing to collect
                        Log.errorf("%s the provider does not know this batch any more; its items go to real time",
                                job.describe());
                        return jobs.ended(job, new BatchJobStatus(job.providerBatchId(), job.provider(), BatchStatus.FAILED,
                                        new dev.batchwise.llm.BatchTotals(job.totalRequests(), 0, 0, 0), null, null))
                                .flatMap(collector::collect);
                    }
                    // 429, 5xx, 529, a status this version does not know: poll again later, never fail the job
                    Duration wait = backoff(job, current);
                    Log.warnf("%s poll failed (%s); polled again in %d ms", job.describe(), failure.getMessage(),
                            wait.toMillis());
                    return jobs.pollFailed(job, wait, failure.getMessage());
                });
    }

    /** Past the timeout: cancel at the provider, then keep polling until the provider says the batch ended. */
    private Uni<Void> cancel(ClaimedJob job, BatchJobStatus status, EffectiveBatchSettings current) {
        Log.warnf("%s still %s past its timeout: cancelling at the provider", job.describe(), status.status());
        return batches.cancel(job.provider(), job.providerBatchId())
                .flatMap(cancelling -> jobs.cancelRequested(job))
                .flatMap(timedOut -> jobs.polled(timedOut, JobStatus.TIMED_OUT, status, true,
                        Duration.ofMillis(current.pollIntervalMs().value())))
                .onFailure(failure -> !(failure instanceof LostClaimException)).recoverWithUni(failure -> {
                    // a batch left running is billed: the cancel is tried again at the next poll
                    Log.warnf("%s cancel failed (%s); tried again at the next poll", job.describe(), failure.getMessage());
                    return jobs.pollFailed(job, backoff(job, current), "cancel failed: " + failure.getMessage());
                });
    }

    /** The poll interval, doubled per failed poll in a row, at most ten minutes. */
    private Duration backoff(ClaimedJob job, EffectiveBatchSettings current) {
        long ms = current.pollIntervalMs().value() << Math.min(job.pollAttempts() + 1, 12);
        return Duration.ofMillis(Math.min(ms, MAX_POLL_BACKOFF.toMillis()));
    }
}
