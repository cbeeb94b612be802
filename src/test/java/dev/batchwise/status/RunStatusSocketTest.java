package dev.batchwise.status;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.reconciliation.AtomsInferred;
import dev.batchwise.reconciliation.RunPublisher;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.BasicWebSocketConnector;
import io.quarkus.websockets.next.WebSocketClientConnection;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A browser's view: a WebSockets Next client on /ws/runs/{runId} receives the run's status events. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class RunStatusSocketTest {

    @Inject
    BasicWebSocketConnector connector;

    @Inject
    ObjectMapper mapper;

    @Inject
    RunPublisher runs;

    @TestHTTPResource("/")
    URI root;

    @Test
    void aClientWaitingForARunReceivesItsStatusOverKafka() throws Exception {
        String runId = "run-" + UUID.randomUUID();
        List<String> messages = new CopyOnWriteArrayList<>();
        WebSocketClientConnection connection = connect(runId, messages);
        try {
            runs.publish(AtomsInferred.whole(runId,
                    List.of(new AtomsInferred.InferredAtom("a-1", "an atom", null)), null)).await().atMost(Duration.ofSeconds(30));

            // a one-atom run goes real time: verifying, then verified with its atom completed
            await().atMost(Duration.ofSeconds(30)).until(() -> messages.stream().anyMatch(m -> m.contains("\"verified\"")));
            JsonNode first = mapper.readTree(messages.get(0));
            assertEquals(runId, first.get("runId").asText());
            // each event is the run's state when it was sent: a fast run may show verified straight away
            assertTrue(List.of("verifying", "verified").contains(first.get("status").asText()), first.toString());
            JsonNode last = mapper.readTree(messages.get(messages.size() - 1));
            assertEquals("verified", last.get("status").asText());
            assertEquals(1, last.get("batchProgress").get("completed").asInt()
                    + last.get("batchProgress").get("failed").asInt());
        } finally {
            connection.closeAndAwait();
        }
    }

    @Test
    void aClientConnectingLaterGetsTheCurrentStatusFirst() throws Exception {
        String runId = "run-" + UUID.randomUUID();
        runs.publish(AtomsInferred.whole(runId,
                List.of(new AtomsInferred.InferredAtom("a-1", "an atom", null)), null)).await().atMost(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30)).until(() -> "verified".equals(
                io.restassured.RestAssured.given().get("/api/runs/{runId}", runId).jsonPath().getString("status")));

        List<String> messages = new CopyOnWriteArrayList<>();
        WebSocketClientConnection connection = connect(runId, messages);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !messages.isEmpty());
            assertEquals("verified", mapper.readTree(messages.get(0)).get("status").asText());
        } finally {
            connection.closeAndAwait();
        }
    }

    private WebSocketClientConnection connect(String runId, List<String> messages) {
        return connector.baseUri(root).path("/ws/runs/" + runId)
                .onTextMessage((connection, message) -> messages.add(message))
                .connectAndAwait();
    }
}
