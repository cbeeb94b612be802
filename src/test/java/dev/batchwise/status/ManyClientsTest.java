package dev.batchwise.status;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 200 clients on one run, one of which reads nothing: the others get every state up to the final one, and the run
 * is not held up. Prints the delay from an event's publication ({@code at}, when the relay read the state) to its
 * receipt, p50 and p99 over all clients, and the run's time against the same run without clients (no timed
 * assertion). The buffer a stalled client can take up is bounded by runs, not events: StatusFeedTest shows it with a
 * client whose writes never complete; here, a run's few dozen events (tens of KB) fit in the sockets' buffers, so
 * what is checked is that the stalled client holds nothing up and still ends on the final state once it reads.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(ManyClientsTest.ManyJobs.class)
class ManyClientsTest {

    /** 200 atoms in 20 jobs of 10: some 60 status changes per run. */
    public static class ManyJobs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("batch.max-requests-per-batch", "10");
        }
    }

    private static final int CLIENTS = 200;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TestHTTPResource("/")
    URI root;

    @Inject
    StatusClients clients;

    @Test
    void twoHundredClientsOneOfThemStalledAllGetTheFinalStateAndTheRunIsNotHeldUp() {
        Simulator simulator = Simulator.save();
        try {
            Simulator.configure(Map.of("batchFixedMs", 1500, "batchPerItemMs", 0, "itemErrorRate", 0,
                    "overloadedRate", 0, "latencyMs", 0));
            Duration alone = runTime(StatusSnapshotTest.post(200, "batch"));

            String runId = "status-many-" + System.nanoTime();
            List<StatusClient> readers = new ArrayList<>();
            StatusClient stalled = StatusClient.connect(StatusClient.uri(root, "/ws/runs/" + runId), false);
            try {
                for (int i = 1; i < CLIENTS; i++) {
                    readers.add(StatusClient.connect(StatusClient.uri(root, "/ws/runs/" + runId), true));
                }
                await().atMost(WAIT).until(() -> clients.feeds().collect().asList().await().indefinitely().size()
                        >= CLIENTS);
                Duration watched = runTime(StatusSnapshotTest.postAs(runId, 200, "batch"));
                await().atMost(WAIT).until(() -> readers.stream().allMatch(c -> c.lastIs(runId, "verified")));

                List<Long> delays = new ArrayList<>();
                for (StatusClient reader : readers) {
                    List<Received> got = reader.of(runId);
                    for (int i = 1; i < got.size(); i++) {
                        assertTrue(got.get(i).seq() > got.get(i - 1).seq(), "in order");
                    }
                    got.forEach(m -> delays.add(Duration.between(Instant.parse(m.event().get("at").asText()),
                            m.at()).toMillis()));
                }
                assertTrue(stalled.of(runId).size() <= 1, "the stalled client read at most its first message");
                for (StatusFeed feed : clients.feeds().collect().asList().await().indefinitely()) {
                    assertTrue(feed.waiting() <= 1, "a client of one run waits for one event at most");
                }
                stalled.resume();
                await().atMost(WAIT).until(() -> stalled.lastIs(runId, "verified"));

                delays.sort(Long::compare);
                System.out.printf("%n%d clients of one 200-atom batch run (20 jobs), one reading nothing:"
                                + " %d events received by the 199 others, publish -> receipt p50 %d ms, p99 %d ms, max %d ms;"
                                + " run time %,d ms with the clients against %,d ms without (ratio %.2f)%n%n",
                        CLIENTS, delays.size(), delays.get(delays.size() / 2), delays.get((int) (delays.size() * 0.99)),
                        delays.get(delays.size() - 1), watched.toMillis(), alone.toMillis(),
                        watched.toMillis() / (double) alone.toMillis());
            } finally {
                readers.forEach(StatusClient::close);
                stalled.close();
            }
        } finally {
            simulator.restore();
        }
    }

    /** received -> finished, as the service recorded them. */
    private static Duration runTime(String runId) {
        await().atMost(WAIT).until(() -> "verified".equals(given().get("/api/runs/{runId}", runId).jsonPath()
                .getString("status")));
        JsonPath run = given().get("/api/runs/{runId}", runId).jsonPath();
        assertEquals(200, run.getInt("batchProgress.completed"));
        return Duration.between(Instant.parse(run.getString("createdAt")), Instant.parse(run.getString("finishedAt")));
    }
}
