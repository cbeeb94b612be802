package dev.batchwise.status;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.reconciliation.AtomsInferred;
import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.BasicWebSocketConnector;
import io.quarkus.websockets.next.WebSocketClientConnection;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;

/** A browser's view: a WebSockets Next client on /runs/{runId}/status receives the run's status events. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class RunStatusSocketTest {

    @Inject
    BasicWebSocketConnector connector;

    @Inject
    ObjectMapper mapper;

    @Inject
    @Channel("atoms-inferred-out")
    MutinyEmitter<Record<String, AtomsInferred>> atomsInferred;

    @TestHTTPResource("/")
    URI root;

    @Test
    void aClientWaitingForARunReceivesItsStatusOverKafka() throws Exception {
        String runId = "run-" + UUID.randomUUID();
        List<String> messages = new CopyOnWriteArrayList<>();
        WebSocketClientConnection connection = connect(runId, messages);
        try {
            atomsInferred.sendAndAwait(Record.of(runId, new AtomsInferred(runId,
                    List.of(new AtomsInferred.InferredAtom("a-1", "an atom", null)), null)));

            await().atMost(Duration.ofSeconds(30)).until(() -> !messages.isEmpty());
            JsonNode event = mapper.readTree(messages.get(0));
            assertEquals(runId, event.get("runId").asText());
            assertEquals("received", event.get("status").asText());
            assertEquals(0, event.get("batchProgress").get("failed").asInt());
        } finally {
            connection.closeAndAwait();
        }
    }

    @Test
    void aClientConnectingLaterGetsTheCurrentStatusFirst() throws Exception {
        String runId = "run-" + UUID.randomUUID();
        atomsInferred.sendAndAwait(Record.of(runId, new AtomsInferred(runId,
                List.of(new AtomsInferred.InferredAtom("a-1", "an atom", null)), null)));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                io.restassured.RestAssured.given().get("/runs/{runId}", runId).statusCode() == 200);

        List<String> messages = new CopyOnWriteArrayList<>();
        WebSocketClientConnection connection = connect(runId, messages);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !messages.isEmpty());
            assertEquals("received", mapper.readTree(messages.get(0)).get("status").asText());
        } finally {
            connection.closeAndAwait();
        }
    }

    private WebSocketClientConnection connect(String runId, List<String> messages) {
        return connector.baseUri(root).path("/runs/" + runId + "/status")
                .onTextMessage((connection, message) -> messages.add(message))
                .connectAndAwait();
    }
}
