package dev.batchwise.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import dev.batchwise.testing.GeneratedBatchBody;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Iterator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 100,000-request Anthropic batch against the standalone simulator (the packaged jar, profile
 * {@code simulator}) running with {@code -Xmx256m}, read back by the official SDK in this test JVM, which
 * failsafe also runs with {@code -Xmx256m}: neither side may hold the batch or its results in memory.
 */
class LargeBatchIT {

    private static final int REQUESTS = 100_000;

    private static Process simulator;
    private static Path log;
    private static String base;

    @BeforeAll
    static void startStandaloneSimulator() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        log = Files.createTempFile("batchwise-simulator", ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        simulator = new ProcessBuilder(java, "-Xmx256m", "-Dquarkus.profile=simulator",
                "-Dquarkus.http.port=" + port, "-Dbatchwise.simulator.batch-fixed-ms=0",
                // no database and no Kafka needed: point both at ports where nothing listens
                "-Dbatchwise.db.port=1", "-Dkafka.bootstrap.servers=127.0.0.1:1",
                "-jar", System.getProperty("quarkus.app.jar", "target/quarkus-app/quarkus-run.jar"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (simulator != null) {
            simulator.destroy();
            simulator.waitFor();
        }
        Files.deleteIfExists(log);
    }

    @Test
    void oneHundredThousandRequestsAreAcceptedAndTheirResultsStream() throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(base + "/sim/anthropic/v1/messages/batches"))
                        .header("content-type", "application/json").header("x-api-key", "sk-ant-test")
                        .header("anthropic-version", "2023-06-01")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedBatchBody(REQUESTS))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, created.statusCode(), created.body() + "\n" + Files.readString(log));
        String id = created.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"(msgbatch_[A-Za-z0-9]+)\".*", "$1");

        AnthropicClient client = AnthropicOkHttpClient.builder().apiKey("sk-ant-test")
                .baseUrl(base + "/sim/anthropic").build();
        try {
            MessageBatch ended = Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> client.messages().batches().retrieve(id),
                            b -> b.processingStatus().equals(MessageBatch.ProcessingStatus.ENDED));
            assertEquals(REQUESTS, ended.requestCounts().succeeded());

            BitSet seen = new BitSet(REQUESTS);
            int lines = 0;
            try (StreamResponse<MessageBatchIndividualResponse> results = client.messages().batches()
                    .resultsStreaming(id)) {
                for (Iterator<MessageBatchIndividualResponse> it = results.stream().iterator(); it.hasNext(); ) {
                    MessageBatchIndividualResponse result = it.next();
                    assertTrue(result.result().isSucceeded(), result.customId());
                    seen.set(Integer.parseInt(result.customId().substring("req-".length())));
                    lines++;
                }
            }
            assertEquals(REQUESTS, lines);
            assertEquals(REQUESTS, seen.cardinality(), "every custom_id came back exactly once");
        } finally {
            client.close();
        }
        assertTrue(simulator.isAlive(), "the simulator survived with -Xmx256m:\n" + Files.readString(log));
    }
}
