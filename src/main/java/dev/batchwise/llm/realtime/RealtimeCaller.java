package dev.batchwise.llm.realtime;

import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmErrorType;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.ProviderAdapter;
import dev.batchwise.llm.RealtimeAnswer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The real-time call itself: paced per provider, limited in time, retried by {@link RetryPolicy}. Plain Java
 * without CDI, so that the benchmark runs the very same code outside Quarkus; {@link RealtimeLlmService} adds
 * the adapters and the circuit breaker. Never blocks: waits are Mutiny delays.
 */
final class RealtimeCaller {

    // JBoss Logging directly, not Quarkus' Log: this class also runs outside Quarkus (the benchmark)
    private static final Logger LOG = Logger.getLogger(RealtimeCaller.class);

    private final RetryPolicy retry;
    private final Duration timeout;
    private final Map<Provider, ProviderPacer> pacers = new EnumMap<>(Provider.class);
    private final Retried retried;

    /**
     * Told of every attempt that failed and is made again: each one was a call the provider may have billed, unless
     * {@code reached} is false (no HTTP answer: the request may never have left, e.g. a pooled connection the server
     * had closed).
     */
    @FunctionalInterface
    interface Retried {
        Retried NONE = (provider, type, reached) -> { };

        void retrying(Provider provider, LlmErrorType type, boolean reached);
    }

    /** @param random uniform in [0, 1), for the back-off jitter */
    RealtimeCaller(LlmConfig.Realtime config, InstantSource clock, DoubleSupplier random) {
        this(config, clock, random, Retried.NONE);
    }

    RealtimeCaller(LlmConfig.Realtime config, InstantSource clock, DoubleSupplier random, Retried retried) {
        this.retried = retried;
        this.retry = new RetryPolicy(config.maxAttempts(), config.initialBackoffMs(), config.maxBackoffMs(), random);
        this.timeout = Duration.ofMillis(config.timeoutMs());
        for (Provider provider : Provider.values()) {
            pacers.put(provider, new ProviderPacer(clock, config.requestsPerSecond(),
                    Duration.ofMillis(config.maxBackoffMs())));
        }
    }

    /** The answer, or the failure of the last attempt (an {@link LlmException} when the provider answered). */
    Uni<RealtimeAnswer> call(ProviderAdapter adapter, LlmRequest request) {
        return attempt(adapter, request, 1);
    }

    ProviderPacer pacer(Provider provider) {
        return pacers.get(provider);
    }

    private Uni<RealtimeAnswer> attempt(ProviderAdapter adapter, LlmRequest request, int attempt) {
        ProviderPacer pacer = pacers.get(adapter.provider());
        return permit(pacer)
                .flatMap(permit -> send(adapter, request, pacer, pacer.sent(permit)))
                .onFailure().recoverWithUni(failure -> {
                    Optional<Duration> delay = retry.delayBefore(attempt + 1, failure);
                    if (delay.isEmpty()) {
                        return Uni.createFrom().failure(failure);
                    }
                    retried.retrying(adapter.provider(), failed(request, failure).error().type(),
                            !(failure instanceof LlmException.Unreachable));
                    if (LOG.isDebugEnabled()) {
                        LOG.debugf("provider=%s customId=%s attempt %d/%d failed (%s); retrying in %d ms",
                                adapter.provider().wireName(), request.customId(), attempt, retry.maxAttempts(),
                                failure.getMessage(), delay.get().toMillis());
                    }
                    return wait(delay.get()).flatMap(ignored -> attempt(adapter, request, attempt + 1));
                });
    }

    private Uni<RealtimeAnswer> send(ProviderAdapter adapter, LlmRequest request, ProviderPacer pacer,
                                     ProviderPacer.Permit permit) {
        return Uni.createFrom().deferred(() -> adapter.complete(request))
                // the adapters limit their own calls too; this keeps one that does not from hanging a run
                .ifNoItem().after(timeout).failWith(() -> new LlmException.Timeout(adapter.provider().wireName()
                        + ": no answer within " + timeout.toMillis() + " ms"))
                .invoke(answer -> pacer.answered(permit, answer.rateLimit()))
                .onFailure().invoke(failure -> {
                    if (failure instanceof LlmException.RateLimited limited) {
                        pacer.rateLimited(permit, limited.retryAfter(), limited.rateLimit());
                    } else {
                        pacer.released(permit);
                    }
                })
                .onCancellation().invoke(() -> pacer.released(permit));
    }

    /** A permit whose time has come; reserved again when a 429's retry-after arrived while it waited. */
    private Uni<ProviderPacer.Permit> permit(ProviderPacer pacer) {
        return Uni.createFrom().deferred(() -> {
            ProviderPacer.Permit permit = pacer.reserve();
            long delay = permit.delayNanos(pacer.now());
            Uni<ProviderPacer.Permit> ready = delay <= 0 ? Uni.createFrom().item(permit)
                    : wait(Duration.ofNanos(delay)).replaceWith(permit)
                            .onCancellation().invoke(() -> pacer.released(permit));
            return ready.flatMap(p -> {
                if (pacer.held(pacer.now())) {
                    pacer.released(p);
                    return permit(pacer);
                }
                return Uni.createFrom().item(p);
            });
        });
    }

    private static Uni<Void> wait(Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return Uni.createFrom().voidItem();
        }
        // timers (Vert.x's, under Quarkus) refuse delays under a millisecond: a pacer's sub-millisecond wait
        // becomes one millisecond, never a failed call
        Duration atLeastOneMilli = delay.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : delay;
        return Uni.createFrom().voidItem().onItem().delayIt().by(atLeastOneMilli);
    }

    /**
     * One result per request, success or failure, with at most {@code concurrency} requests under way at
     * once; results come as they finish (match them by custom id). {@code one} must not fail; if it does,
     * the failure becomes that request's result rather than the end of the stream.
     */
    static Multi<LlmResult> settleAll(List<LlmRequest> requests, int concurrency,
                                      Function<LlmRequest, Uni<LlmResult>> one) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        }
        return Multi.createFrom().iterable(requests)
                .onItem().transformToUni(request -> Uni.createFrom().deferred(() -> one.apply(request))
                        .onFailure().recoverWithItem(failure -> failed(request, failure)))
                .merge(concurrency);
    }

    /** A failure as the request's result: the provider's kind when it answered, UNKNOWN otherwise. */
    static LlmResult failed(LlmRequest request, Throwable failure) {
        if (failure instanceof LlmException e) {
            return LlmResult.failed(request.customId(), e.type(), e.getMessage());
        }
        return LlmResult.failed(request.customId(), LlmErrorType.UNKNOWN, failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()));
    }
}
