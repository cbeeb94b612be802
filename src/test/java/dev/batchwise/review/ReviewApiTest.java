package dev.batchwise.review;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The endpoints the review page reads: the runs list, atoms sorted by any column, the score histogram. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class ReviewApiTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void runsAreListedNewestFirstWithTheirState() {
        String older = post(3);
        String newer = post(3);
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/runs?limit=500").then().statusCode(200)
                .body("runs.runId", hasItem(newer)).body("runs.runId", hasItem(older)));
        List<String> ids = given().get("/api/runs?limit=500").then().extract().jsonPath().getList("runs.runId");
        assertTrue(ids.indexOf(newer) < ids.indexOf(older), ids.toString());
        given().get("/api/runs?limit=1&offset=" + ids.indexOf(newer)).then().statusCode(200)
                .body("runs.size()", equalTo(1)).body("runs[0].runId", equalTo(newer))
                .body("runs[0].atomCount", equalTo(3)).body("total", equalTo(given().get("/api/runs").then()
                        .extract().jsonPath().getInt("total")));
    }

    @Test
    void badParametersAreNamed() {
        given().get("/api/runs?limit=501").then().statusCode(400).body("error", equalTo("limit must be between 1 and 500 (was 501)"));
        given().get("/api/runs?offset=x").then().statusCode(400).body("error", equalTo("offset must be a whole number (was 'x')"));
        String runId = post(3);
        given().get("/api/runs/{runId}/atoms?sort=size", runId).then().statusCode(400)
                .body("error", equalTo("sort must be one of quality, tempId, category, description, scoreSource (was 'size')"));
        given().get("/api/runs/{runId}/atoms?order=up", runId).then().statusCode(400)
                .body("error", equalTo("order must be asc or desc (was 'up')"));
        given().get("/api/runs/no-such-run/scores").then().statusCode(404);
    }

    @Test
    void atomsSortByAnyColumnAndUnscoredStayLastInEveryQualityOrder() {
        String runId = post(12);
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/runs/{runId}", runId).then()
                .body("status", equalTo("verified")));
        List<Integer> desc = scores(runId, "desc");
        List<Integer> asc = scores(runId, "asc");
        assertEquals(12, desc.size());
        assertNullsLastAndSorted(desc, false);
        assertNullsLastAndSorted(asc, true);
        List<String> byId = given().get("/api/runs/{runId}/atoms?sort=tempId&order=desc", runId).then().statusCode(200)
                .extract().jsonPath().getList("atoms.tempId");
        List<String> expected = new ArrayList<>(byId);
        expected.sort(java.util.Comparator.reverseOrder());
        assertEquals(expected, byId);

        // the histogram counts every atom once, an unscored one in no bucket
        long unscored = desc.stream().filter(s -> s == null).count();
        given().get("/api/runs/{runId}/scores", runId).then().statusCode(200)
                .body("buckets.size()", equalTo(10)).body("buckets[9].to", equalTo(100))
                .body("scored", equalTo((int) (12 - unscored))).body("unscored", equalTo((int) unscored));
        List<Integer> counts = given().get("/api/runs/{runId}/scores", runId).then().extract().jsonPath()
                .getList("buckets.count", Integer.class);
        for (int i = 0; i < 10; i++) {
            int from = i * 10;
            int to = i == 9 ? 100 : from + 9;
            assertEquals(desc.stream().filter(s -> s != null && s >= from && s <= to).count(), (long) counts.get(i),
                    "bucket " + from + "-" + to);
        }
    }

    private static void assertNullsLastAndSorted(List<Integer> scores, boolean ascending) {
        boolean seenNull = false;
        Integer last = null;
        for (Integer score : scores) {
            if (score == null) {
                seenNull = true;
                continue;
            }
            assertTrue(!seenNull, "a score after an unscored atom: " + scores);
            assertTrue(last == null || (ascending ? last <= score : last >= score), scores.toString());
            last = score;
        }
    }

    private static List<Integer> scores(String runId, String order) {
        return given().get("/api/runs/{runId}/atoms?sort=quality&order=" + order, runId).then().statusCode(200)
                .extract().jsonPath().getList("atoms.qualityScore", Integer.class);
    }

    private static String post(int atoms) {
        String runId = "api-" + UUID.randomUUID();
        String body = "{\"runId\":\"" + runId + "\",\"atoms\":[" + IntStream.range(0, atoms)
                .mapToObj(i -> "{\"tempId\":\"a-" + i + "\",\"description\":\"A user can do thing " + i
                        + "\",\"category\":\"functional\"}").collect(Collectors.joining(",")) + "]}";
        given().contentType(ContentType.JSON).body(body).post("/api/runs").then().statusCode(202);
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/runs/{runId}", runId).then().statusCode(200));
        return runId;
    }
}
