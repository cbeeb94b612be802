package dev.batchwise.llm;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A full run with a real-looking key configured (pointed at the simulator, which checks it was sent): submit,
 * poll, results, real time and a rejected key. Neither the log file nor any error message may contain the key.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(SecretsStayOutOfLogsTest.WithAKey.class)
class SecretsStayOutOfLogsTest {

    static final String KEY = "sk-ant-canary-7f3a9c0e5d1b";
    static final Path LOG = Path.of("target", "secrets-test.log");

    public static class WithAKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                Files.deleteIfExists(LOG);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of(
                    "quarkus.http.test-port", Integer.toString(port),
                    "llm.anthropic.api-key", KEY,
                    "llm.anthropic.base-url", "http://127.0.0.1:" + port + "/sim/anthropic",
                    "batchwise.simulator.api-key", KEY,
                    "batchwise.simulator.batch-fixed-ms", "200",
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", LOG.toString(),
                    "quarkus.log.category.\"dev.batchwise\".level", "DEBUG");
        }
    }

    @Inject
    BatchLlmService batches;

    @Inject
    ProviderEndpoints endpoints;

    @Test
    void theKeyIsUsedButNeverPrinted() throws Exception {
        List<LlmRequest> requests = List.of(LlmRequest.of("a", "sys", "one"), LlmRequest.of("b", "sys", "two"));
        List<LlmResult> results = batches.submitAndWait(requests, new WaitOptions(Duration.ofMillis(100),
                Duration.ofSeconds(30))).await().atMost(Duration.ofSeconds(60));
        assertTrue(results.stream().allMatch(LlmResult::success), "the simulator accepted the configured key");
        assertFalse(endpoints.of(Provider.ANTHROPIC).orElseThrow().toString().contains(KEY));

        // now the provider refuses the key: the failure must name the problem, not the key
        given().contentType(ContentType.JSON).body(Map.of("apiKey", "another-key")).put("/sim/config")
                .then().statusCode(200);
        LlmException refused = assertThrows(LlmException.class,
                () -> batches.submitBatch(requests, BatchOptions.DEFAULTS).await().atMost(Duration.ofSeconds(30)));
        assertEquals(LlmErrorType.AUTHENTICATION, refused.type());
        assertFalse(refused.getMessage().contains(KEY), refused.getMessage());
        given().contentType(ContentType.JSON).body(Map.of("apiKey", KEY)).put("/sim/config").then().statusCode(200);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(LOG)
                && Files.readString(LOG).contains("submitted (2 requests in 1 chunks)"));
        String log = Files.readString(LOG);
        assertFalse(log.contains(KEY), "the API key appeared in the log");
        assertFalse(log.contains(KEY.substring(KEY.length() - 12)), "a part of the API key appeared in the log");
    }
}
