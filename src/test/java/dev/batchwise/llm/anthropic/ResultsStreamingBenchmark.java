package dev.batchwise.llm.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.llm.BatchLlmService;
import dev.batchwise.llm.LlmResult;
import dev.batchwise.testing.GeneratedBatchBody;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (run with {@code ./mvnw -Pbenchmark test}, heap -Xmx256m): streams the results of a
 * 100,000-request batch from the in-process simulator through the Anthropic adapter and BatchLlmService, and
 * parses the same JSONL from disk with plain Jackson line by line, side by side in one run, and prints the
 * rates and their ratio. Each side runs twice; the second run is the one reported (the first warms the JIT).
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class ResultsStreamingBenchmark {

    private static final int REQUESTS = 100_000;

    @Inject
    BatchLlmService batches;

    @Inject
    ObjectMapper mapper;

    @TestHTTPResource("/sim/anthropic/v1/messages/batches")
    URL batchesUrl;

    @Test
    void streamResultsOfAHundredThousandRequestBatch() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(batchesUrl.toURI())
                .header("content-type", "application/json").header("x-api-key", "bench")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedBatchBody(REQUESTS))).build(),
                HttpResponse.BodyHandlers.ofString());
        String id = mapper.readTree(created.body()).get("id").asText();
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() ->
                batches.getBatchStatus("anthropic:" + id).await().atMost(Duration.ofSeconds(30)).status().isFinal());

        Path file = Files.createTempFile("results", ".jsonl");
        try {
            http.send(HttpRequest.newBuilder(URI.create(batchesUrl + "/" + id + "/results"))
                    .header("x-api-key", "bench").header("anthropic-version", "2023-06-01").build(),
                    HttpResponse.BodyHandlers.ofFile(file));
            double service = 0;
            double jackson = 0;
            for (int round = 0; round < 2; round++) {
                service = rate(() -> batches.getBatchResults("anthropic:" + id)
                        .filter(LlmResult::success).collect().with(java.util.stream.Collectors.counting())
                        .await().atMost(Duration.ofMinutes(5)));
                jackson = rate(() -> {
                    long lines = 0;
                    try (BufferedReader reader = Files.newBufferedReader(file)) {
                        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                            JsonNode node = mapper.readTree(line);
                            if (node.path("result").path("type").asText().equals("succeeded")) {
                                lines++;
                            }
                        }
                    }
                    return lines;
                });
            }
            System.out.printf("%nresults streaming, %,d results, max heap %d MB:%n", REQUESTS,
                    Runtime.getRuntime().maxMemory() / (1024 * 1024));
            System.out.printf("  Batchwise (HTTP stream -> JsonLines -> adapter -> LlmResult): %,.0f results/s%n", service);
            System.out.printf("  plain Jackson line by line from disk:                      %,.0f results/s%n", jackson);
            System.out.printf("  ratio Batchwise / plain Jackson: %.2f%n%n", service / jackson);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private interface Counted {
        long run() throws Exception;
    }

    private static double rate(Counted work) throws Exception {
        long start = System.nanoTime();
        long count = work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(REQUESTS, count, "every result read");
        return count / seconds;
    }
}
