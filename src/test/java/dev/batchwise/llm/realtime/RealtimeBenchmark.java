package dev.batchwise.llm.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.llm.BatchJobStatus;
import dev.batchwise.llm.LlmConfig;
import dev.batchwise.llm.LlmException;
import dev.batchwise.llm.LlmRequest;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.Provider;
import dev.batchwise.llm.ProviderAdapter;
import dev.batchwise.llm.ProviderBatch;
import dev.batchwise.llm.ProviderBatchInfo;
import dev.batchwise.llm.RateLimit;
import dev.batchwise.llm.RealtimeAnswer;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test: how close the real-time path runs to a provider's request limit. 1,000 real-time
 * requests at concurrency 10 against the provider simulator limited to 50 requests/s (retry-after: 1 on a
 * 429); prints the requests per second achieved and their ratio to the limit. Two ways to run it:
 *
 * <ul>
 *   <li>{@code ./mvnw -Pbenchmark test}: as a {@code @QuarkusTest}, through the whole path (the Anthropic
 *   adapter, {@link RealtimeLlmService} with its breaker, pacing and retries) against this instance's own
 *   simulator.</li>
 *   <li>{@code main}, against a standalone simulator that another JVM serves, so that client and server do not
 *   share a CPU budget:
 * <pre>
 * ./mvnw -B package -DskipTests
 * java -Dquarkus.profile=simulator -Dquarkus.http.port=8089 -jar target/quarkus-app/quarkus-run.jar &amp;
 * ./mvnw -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.batchwise.llm.realtime.RealtimeBenchmark -Dexec.args="http://127.0.0.1:8089"
 * </pre>
 *   There the very pacing, retry and concurrency code of the service runs without Quarkus
 *   ({@link RealtimeCaller} needs no CDI); only the transport differs, a small java.net.http client of the
 *   simulator's Messages endpoint with the Anthropic adapter's error mapping, since the REST-client adapter
 *   needs a running Quarkus. The circuit breaker is left out; it does not act while calls succeed.
 *   Arguments: base URL, then optionally {@code --requests N}, {@code --concurrency N}, {@code --limit N}
 *   (requests per second), {@code --latency-ms N} (the simulator's added latency per answer, default 0),
 *   {@code --sdk} to also run the bare Anthropic SDK loop (N threads, a default client: 2 retries that honour
 *   retry-after) for comparison. {@code -Dllm.realtime.*} system properties change the real-time settings as
 *   in the application. The simulator's settings are restored at the end.</li>
 * </ul>
 *
 * Figures, never timed assertions.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
public class RealtimeBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "claude-haiku-5-5";

    private static final int REQUESTS = 1000;
    private static final int CONCURRENCY = 10;
    private static final int LIMIT = 50;

    @Inject
    RealtimeLlmService service;

    @TestHTTPResource("/")
    URL root;

    /** The simulator's base URL: this instance's in the {@code @QuarkusTest}, the argument of {@code main}. */
    private String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();


    @Test
    void thousandRealtimeRequestsAtFiftyPerSecond() throws Exception {
        baseUrl = root.toString().replaceAll("/+$", "");
        String saved = simulator("GET", "/sim/config", null);
        try {
            simulator("PUT", "/sim/config", settings(LIMIT, 0));
            waitForFullBucket();
            simulator("DELETE", "/sim/stats", null);
            List<LlmRequest> requests = requests(REQUESTS);

            long start = System.nanoTime();
            List<LlmResult> results = service.completeAll(requests, CONCURRENCY).collect().asList()
                    .await().atMost(Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - start) / 1e9;

            long succeeded = results.stream().filter(LlmResult::success).count();
            report("real-time path in-process (Anthropic adapter, RealtimeLlmService: breaker, pacing, retries)",
                    REQUESTS, succeeded, seconds, LIMIT);
            assertEquals(REQUESTS, results.size(), "one result per request");
        } finally {
            simulator("PUT", "/sim/config", saved);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args[0].startsWith("--")) {
            System.err.println("usage: RealtimeBenchmark BASE_URL [--requests N] [--concurrency N] [--limit N]"
                    + " [--latency-ms N] [--sdk]");
            System.exit(2);
        }
        int requests = REQUESTS;
        int concurrency = CONCURRENCY;
        int limit = LIMIT;
        int latencyMs = 0;
        boolean sdk = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--limit" -> limit = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latencyMs = Integer.parseInt(args[++i]);
                case "--sdk" -> sdk = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        RealtimeBenchmark benchmark = new RealtimeBenchmark();
        benchmark.baseUrl = args[0].replaceAll("/+$", "");
        String saved = benchmark.simulator("GET", "/sim/config", null);
        try {
            benchmark.simulator("PUT", "/sim/config", settings(limit, latencyMs));
            // a fresh bucket: the simulator's is full after one second without calls
            benchmark.waitForFullBucket();
            benchmark.paced(requests, concurrency, limit);
            if (sdk) {
                benchmark.waitForFullBucket();
                benchmark.bareSdk(requests, concurrency, limit);
            }
        } finally {
            benchmark.simulator("PUT", "/sim/config", saved);
            System.exit(0); // Mutiny's and OkHttp's pools would keep the JVM up
        }
    }

    private void paced(int requests, int concurrency, int limit) throws Exception {
        LlmConfig.Realtime settings = realtimeSettings();
        RealtimeCaller caller = new RealtimeCaller(settings, InstantSource.system(),
                () -> ThreadLocalRandom.current().nextDouble());
        ProviderAdapter adapter = new SimulatorMessages();
        List<LlmRequest> batch = requests(requests);
        simulator("DELETE", "/sim/stats", null);

        long start = System.nanoTime();
        List<LlmResult> results = RealtimeCaller.settleAll(batch, concurrency, request -> caller.call(adapter, request)
                        .map(RealtimeAnswer::result)
                        .onFailure().recoverWithItem(failure -> RealtimeCaller.failed(request, failure)))
                .collect().asList().await().atMost(Duration.ofMinutes(10));
        double seconds = (System.nanoTime() - start) / 1e9;

        long succeeded = results.stream().filter(LlmResult::success).count();
        report("paced (RealtimeCaller: pacing + retries, max-attempts " + settings.maxAttempts() + ")",
                requests, succeeded, seconds, limit);
        System.out.printf(Locale.ROOT, "  learned rate %.2f requests/s%n",
                caller.pacer(Provider.ANTHROPIC).ratePerSecond());
    }

    /** The loop a caller writes with the official SDK: N threads, blocking calls, the SDK's retries. */
    private void bareSdk(int requests, int concurrency, int limit) throws Exception {
        AnthropicClient client = AnthropicOkHttpClient.builder().apiKey("benchmark")
                .baseUrl(baseUrl + "/sim/anthropic").build();
        simulator("DELETE", "/sim/stats", null);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            threads.submit(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    try {
                        client.messages().create(MessageCreateParams.builder().model(MODEL).maxTokens(64)
                                .addUserMessage("Explain item " + i + " in one line.").build());
                        succeeded.incrementAndGet();
                    } catch (RuntimeException e) {
                        // counted as not succeeded
                    }
                }
            });
        }
        threads.shutdown();
        threads.awaitTermination(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        report("bare SDK loop (anthropic-java default client: " + concurrency + " threads, 2 retries after retry-after)",
                requests, succeeded.get(), seconds, limit);
        client.close();
    }

    private void report(String what, int requests, long succeeded, double seconds, int limit) throws Exception {
        JsonNode stats = JSON.readTree(simulator("GET", "/sim/stats", null)).path("anthropic");
        double achieved = succeeded / seconds;
        // the simulator's bucket starts full (one second's worth): beyond that, the limit allows `limit` per second
        double sustained = Math.max(0, succeeded - limit) / seconds;
        System.out.printf(Locale.ROOT, "%s%n", what);
        System.out.printf(Locale.ROOT, "  %d/%d succeeded in %.2f s; at most %d calls in flight%n", succeeded, requests,
                seconds, stats.path("maxInFlight").asLong());
        System.out.printf(Locale.ROOT, "  achieved %.1f requests/s = %.3f of the limit of %d/s (the full bucket at the"
                + " start included)%n", achieved, achieved / limit, limit);
        System.out.printf(Locale.ROOT, "  sustained %.1f requests/s = %.3f of the limit ((succeeded - %d) / time)%n",
                sustained, sustained / limit, limit);
        System.out.printf(Locale.ROOT, "  calls %d, 429s %d, 5xx %d%n", stats.path("realtimeCalls").asLong(),
                stats.path("rateLimited").asLong(), stats.path("overloaded").asLong());
    }

    private static String settings(int limit, int latencyMs) {
        return "{\"requestsPerSecond\":" + limit + ",\"maxConcurrent\":0,\"retryAfterMs\":1000,\"overloadedRate\":0,"
                + "\"latencyMs\":" + latencyMs + "}";
    }

    private static List<LlmRequest> requests(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> LlmRequest.of("bench-" + i, null, "Explain item " + i + " in one line.")).toList();
    }

    /** The application's llm.realtime settings: defaults, or -Dllm.realtime.* system properties. */
    private static LlmConfig.Realtime realtimeSettings() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultSources()
                .withMapping(LlmConfig.class).build();
        return config.getConfigMapping(LlmConfig.class).realtime();
    }

    /**
     * No call in flight at the simulator, and at least a second and a half gone by: its bucket (one second's
     * worth of requests) is full again, so each measured run starts from the same state.
     */
    private void waitForFullBucket() {
        org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(30))
                .until(() -> JSON.readTree(simulator("GET", "/sim/stats", null)).path("anthropic").path("inFlight")
                        .asLong() == 0);
    }

    private String simulator(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("content-type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    /**
     * The simulator's Anthropic Messages endpoint over java.net.http, with the error mapping of the
     * application's Anthropic adapter (429 with retry-after and the rate-limit headers, 5xx, 4xx).
     */
    private final class SimulatorMessages implements ProviderAdapter {

        @Override
        public Provider provider() {
            return Provider.ANTHROPIC;
        }

        @Override
        public boolean isConfigured() {
            return true;
        }

        @Override
        public Uni<RealtimeAnswer> complete(LlmRequest request) {
            String body;
            try {
                body = JSON.writeValueAsString(JSON.createObjectNode().put("model", MODEL).put("max_tokens", 64)
                        .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user")
                                .put("content", request.userPrompt()))));
            } catch (Exception e) {
                return Uni.createFrom().failure(e);
            }
            HttpRequest call = HttpRequest.newBuilder(URI.create(baseUrl + "/sim/anthropic/v1/messages"))
                    .header("x-api-key", "benchmark").header("anthropic-version", "2023-06-01")
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            return Uni.createFrom().completionStage(() -> http.sendAsync(call, HttpResponse.BodyHandlers.ofString()))
                    .map(response -> answer(request, response));
        }

        private RealtimeAnswer answer(LlmRequest request, HttpResponse<String> response) {
            int status = response.statusCode();
            RateLimit rateLimit = new RateLimit(number(response, "anthropic-ratelimit-requests-limit"),
                    number(response, "anthropic-ratelimit-requests-remaining"),
                    instant(response, "anthropic-ratelimit-requests-reset"));
            String message = "anthropic answered " + status;
            if (status == 429) {
                Long seconds = number(response, "retry-after");
                throw new LlmException.RateLimited(message, seconds == null ? Duration.ZERO : Duration.ofSeconds(seconds),
                        rateLimit);
            }
            if (status >= 500) {
                throw new LlmException.Overloaded(status, message);
            }
            if (status != 200) {
                throw new LlmException.InvalidRequest(status, message + ": " + response.body());
            }
            try {
                JsonNode message200 = JSON.readTree(response.body());
                List<String> texts = new ArrayList<>();
                message200.path("content").forEach(block -> texts.add(block.path("text").asText("")));
                return new RealtimeAnswer(LlmResult.succeeded(request.customId(), String.join("", texts),
                        new LlmUsage(message200.path("usage").path("input_tokens").asLong(),
                                message200.path("usage").path("output_tokens").asLong(), 0, 0)), rateLimit);
            } catch (Exception e) {
                throw new LlmException.InvalidRequest(status, "unreadable answer: " + e.getMessage());
            }
        }

        private Long number(HttpResponse<?> response, String header) {
            return response.headers().firstValue(header).map(v -> {
                try {
                    return Long.parseLong(v.trim());
                } catch (NumberFormatException e) {
                    return null;
                }
            }).orElse(null);
        }

        private Instant instant(HttpResponse<?> response, String header) {
            return response.headers().firstValue(header).map(v -> {
                try {
                    return Instant.parse(v.trim());
                } catch (DateTimeParseException e) {
                    return null;
                }
            }).orElse(null);
        }

        // the real-time path uses complete() only
        @Override
        public long estimatedBytes(LlmRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<ProviderBatch> submit(List<LlmRequest> requests, Map<String, String> metadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Multi<ProviderBatchInfo> listSince(Instant since) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<BatchJobStatus> status(String providerBatchId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Multi<LlmResult> results(String providerBatchId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<BatchJobStatus> cancel(String providerBatchId) {
            throw new UnsupportedOperationException();
        }
    }
}
