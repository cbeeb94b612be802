package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.llm.Provider;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What both providers' real-time endpoints share: key check, rate limit and concurrency cap (429 with
 * retry-after), injected 5xx, added latency, the rate-limit headers on every answer, and the counters.
 */
@ApplicationScoped
class RealtimeAdmission {

    /** A 429: carries the wait and the headers that the provider's error mapper sends with it. */
    static final class RateLimited extends SimulatorException {
        final long retryAfterMillis;
        final Map<String, String> headers;

        RateLimited(String type, String code, long retryAfterMillis, Map<String, String> headers) {
            super(429, type, code, "Rate limit exceeded (simulated); retry after " + retryAfterMillis + " ms");
            this.retryAfterMillis = retryAfterMillis;
            this.headers = headers;
        }
    }

    /** A large, never-binding token limit, reported so that clients reading token headers see sane values. */
    private static final long TOKEN_LIMIT = 10_000_000;

    private final SimulatorKnobs knobs;
    private final SimulatorStats stats;
    private final Map<Provider, RealtimeGate> gates = new EnumMap<>(Provider.class);

    RealtimeAdmission(SimulatorKnobs knobs, SimulatorStats stats) {
        this.knobs = knobs;
        this.stats = stats;
        for (Provider provider : Provider.values()) {
            gates.put(provider, new RealtimeGate());
        }
    }

    /** Null when the key is acceptable, else the reason (missing or wrong) for a 401. */
    String keyProblem(String key, String missing, String invalid) {
        if (key == null || key.isBlank()) {
            return missing;
        }
        String expected = knobs.get().apiKey();
        return expected != null && !expected.equals(key) ? invalid : null;
    }

    Uni<Response> call(Provider provider, Supplier<JsonNode> answer) {
        SimulatorSettings settings = knobs.get();
        SimulatorStats.Counters counters = stats.of(provider);
        long index = counters.realtimeCalls.incrementAndGet();
        RealtimeGate gate = gates.get(provider);
        RealtimeGate.Admission admission = gate.admit(settings.requestsPerSecond(), settings.maxConcurrent());
        Map<String, String> headers = rateHeaders(provider, admission);
        if (!admission.admitted()) {
            counters.rateLimited.incrementAndGet();
            return Uni.createFrom().failure(provider == Provider.ANTHROPIC
                    ? new RateLimited("rate_limit_error", null, settings.retryAfterMs(), headers)
                    : new RateLimited("requests", "rate_limit_exceeded", settings.retryAfterMs(), headers));
        }
        int inFlight = gate.inFlight();
        counters.inFlight.set(inFlight);
        counters.maxInFlight.accumulateAndGet(inFlight, Math::max);
        boolean overloaded = SimulatedModel.unit(settings.seed() + index, 30) < settings.overloadedRate();
        Uni<Response> answered = Uni.createFrom().item(() -> {
            if (overloaded) {
                counters.overloaded.incrementAndGet();
                throw overloadedError(provider, SimulatedModel.unit(settings.seed() + index, 31) < 0.5);
            }
            Response.ResponseBuilder ok = Response.ok(answer.get(), MediaType.APPLICATION_JSON);
            headers.forEach(ok::header);
            if (provider == Provider.ANTHROPIC) {
                ok.header("request-id", SimulatorIds.next("req_"));
            }
            return ok.build();
        });
        Uni<Response> response = settings.latencyMs() <= 0 ? answered
                : Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(settings.latencyMs()))
                        .flatMap(ignored -> answered);
        return response.eventually(() -> {
            gate.release();
            counters.inFlight.set(gate.inFlight());
        });
    }

    private static SimulatorException overloadedError(Provider provider, boolean first) {
        if (provider == Provider.ANTHROPIC) {
            return first ? new SimulatorException(529, "overloaded_error", "Overloaded (simulated)")
                    : new SimulatorException(500, "api_error", "Internal server error (simulated)");
        }
        return first ? new SimulatorException(503, "service_unavailable_error", "server_is_overloaded",
                "The server is overloaded (simulated)")
                : new SimulatorException(500, "server_error", null, "The server had an error (simulated)");
    }

    private static Map<String, String> rateHeaders(Provider provider, RealtimeGate.Admission a) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (a.limit() <= 0) {
            return headers; // unlimited: the real APIs always send limits, but there is no number to send
        }
        String limit = Long.toString(Math.max(1, Math.round(a.limit())));
        String remaining = Long.toString(a.remaining());
        if (provider == Provider.ANTHROPIC) {
            String reset = SimulatorIds.rfc3339(RealtimeGate.resetAt(a.resetMillis()));
            headers.put("anthropic-ratelimit-requests-limit", limit);
            headers.put("anthropic-ratelimit-requests-remaining", remaining);
            headers.put("anthropic-ratelimit-requests-reset", reset);
            headers.put("anthropic-ratelimit-tokens-limit", Long.toString(TOKEN_LIMIT));
            headers.put("anthropic-ratelimit-tokens-remaining", Long.toString(TOKEN_LIMIT));
            headers.put("anthropic-ratelimit-tokens-reset", SimulatorIds.rfc3339(RealtimeGate.resetAt(0)));
        } else {
            headers.put("x-ratelimit-limit-requests", limit);
            headers.put("x-ratelimit-remaining-requests", remaining);
            headers.put("x-ratelimit-reset-requests", a.resetMillis() + "ms");
            headers.put("x-ratelimit-limit-tokens", Long.toString(TOKEN_LIMIT));
            headers.put("x-ratelimit-remaining-tokens", Long.toString(TOKEN_LIMIT));
            headers.put("x-ratelimit-reset-tokens", "0ms");
        }
        return headers;
    }
}
