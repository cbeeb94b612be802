package dev.batchwise.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A run's atoms as {@code GET /api/runs/{runId}/atoms} lists them, and the order that listing promises. */
public final class AtomListing {

    private static final int PAGE = 1000;

    private AtomListing() {
    }

    /** Every atom of the run, page by page, in the listing's order. */
    public static List<Map<String, Object>> all(String runId, int total) {
        List<Map<String, Object>> atoms = new ArrayList<>(total);
        for (int offset = 0; offset < total; offset += PAGE) {
            atoms.addAll(given().get("/api/runs/{runId}/atoms?limit=" + PAGE + "&offset=" + offset, runId).then()
                    .statusCode(200).body("total", equalTo(total)).extract().jsonPath().getList("atoms"));
        }
        assertEquals(total, atoms.size());
        return atoms;
    }

    /** Highest score first, every unscored atom after the last scored one; and there are unscored atoms to place. */
    public static void assertBestFirstUnscoredLast(List<Map<String, Object>> atoms) {
        int previous = Integer.MAX_VALUE;
        boolean unscoredSeen = false;
        for (Map<String, Object> atom : atoms) {
            Integer score = (Integer) atom.get("qualityScore");
            if (score == null) {
                unscoredSeen = true;
                continue;
            }
            assertTrue(!unscoredSeen, "a scored atom after an unscored one: " + atom);
            assertTrue(score <= previous, "not best first: " + score + " after " + previous);
            previous = score;
        }
        assertTrue(unscoredSeen, "the list has unscored atoms, so their place was checked");
    }
}
