package dev.batchwise.status;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import dev.batchwise.testing.StatusClient;
import dev.batchwise.testing.StatusClient.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The status WebSocket with the snapshot's read delayed ({@code batchwise.status.snapshot-delay}): a client is
 * subscribed before the snapshot is read, so what is published while the read is under way still reaches it, after
 * the snapshot, in order.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(StatusSnapshotTest.SlowSnapshot.class)
class StatusSnapshotTest {

    public static class SlowSnapshot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("batchwise.status.snapshot-delay", "6s", "batch.max-requests-per-batch", "10");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/")
    URI root;

    @Test
    void theFinalEventPublishedWhileTheSnapshotIsReadReachesTheClientAfterIt() {
        Simulator simulator = Simulator.save();
        try {
            // one real-time call of 3 s: the run is verifying when the client connects, verified while its snapshot
            // is still on the way
            Simulator.configure(Map.of("latencyMs", 3000, "itemErrorRate", 0, "overloadedRate", 0));
            String runId = post(1, "realtime");
            await().atMost(WAIT).until(() -> "verifying".equals(status(runId)));
            try (StatusClient client = StatusClient.connect(StatusClient.uri(root, "/ws/runs/" + runId), true)) {
                await().atMost(WAIT).until(() -> "verified".equals(status(runId)));
                assertEquals(List.of(), client.messages(), "the run ended before the client got its snapshot");

                await().atMost(WAIT).until(() -> client.lastIs(runId, "verified"));
                List<Received> got = client.of(runId);
                assertEquals("verifying", got.get(0).status(), "the snapshot comes first: the state when it was read");
                assertIncreasing(got);
            }
        } finally {
            simulator.restore();
        }
    }

    @Test
    void aClientOfABatchRunInProgressGetsTheSnapshotWithItsProgressThenEveryChangeUpToTheEnd() {
        Simulator simulator = Simulator.save();
        try {
            Simulator.configure(Map.of("batchFixedMs", 4000, "batchPerItemMs", 0, "itemErrorRate", 0,
                    "overloadedRate", 0, "latencyMs", 0));
            String runId = post(30, "batch"); // three jobs of 10
            await().atMost(WAIT).until(() -> Integer.valueOf(30).equals(given().get("/api/runs/{runId}", runId)
                    .jsonPath().get("batchProgress.submitted")));
            try (StatusClient client = StatusClient.connect(StatusClient.uri(root, "/ws/runs/" + runId), true);
                 StatusClient everyRun = StatusClient.connect(StatusClient.uri(root, "/ws/runs"), true)) {
                await().atMost(WAIT).until(() -> client.lastIs(runId, "verified") && everyRun.lastIs(runId, "verified"));
                for (StatusClient c : List.of(client, everyRun)) {
                    List<Received> got = c.of(runId);
                    Received snapshot = got.get(0);
                    assertEquals("batch_processing", snapshot.status(), got.toString());
                    assertEquals("verifying", snapshot.event().get("stage").asText());
                    assertEquals(30, snapshot.event().get("batchProgress").get("submitted").asInt(),
                            "the snapshot carries the real progress, not zeros");
                    assertNotNull(snapshot.event().get("estimatedTimeRemaining").textValue(),
                            "a run in progress has an estimate or says unknown");
                    assertIncreasing(got);
                    Received last = got.get(got.size() - 1);
                    assertEquals(30, last.event().get("batchProgress").get("completed").asInt());
                    assertTrue(last.event().get("estimatedTimeRemaining").isNull(), "an ended run has nothing left");
                }
            }
        } finally {
            simulator.restore();
        }
    }

    private static void assertIncreasing(List<Received> got) {
        for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i).seq() > got.get(i - 1).seq(), "seq grows: " + got.stream().map(Received::seq).toList());
        }
    }

    private static String status(String runId) {
        return given().get("/api/runs/{runId}", runId).then().extract().jsonPath().getString("status");
    }

    static String post(int atoms, String mode) {
        return postAs("status-" + UUID.randomUUID(), atoms, mode);
    }

    static String postAs(String runId, int atoms, String mode) {
        String body = "{\"runId\":\"" + runId + "\",\"options\":{\"mode\":\"" + mode + "\",\"provider\":\"anthropic\"},"
                + "\"atoms\":[" + IntStream.range(0, atoms).mapToObj(i -> "{\"tempId\":\"a-" + i
                + "\",\"description\":\"The status of thing " + i + " is shown\",\"category\":\"functional\"}")
                .collect(Collectors.joining(",")) + "]}";
        given().contentType(ContentType.JSON).body(body).post("/api/runs").then().statusCode(202);
        return runId;
    }
}
