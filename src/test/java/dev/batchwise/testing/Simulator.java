package dev.batchwise.testing;

import static io.restassured.RestAssured.given;

import dev.batchwise.llm.Provider;
import io.restassured.http.ContentType;
import java.util.Map;

/** The in-process provider simulator as tests drive it: knobs (restored after each test) and stats. */
public final class Simulator {

    private String saved;

    /** Remembers the current knobs, to be restored by {@link #restore()}. */
    public static Simulator save() {
        Simulator simulator = new Simulator();
        simulator.saved = given().get("/sim/config").then().statusCode(200).extract().asString();
        return simulator;
    }

    public void restore() {
        given().contentType(ContentType.JSON).body(saved).put("/sim/config").then().statusCode(200);
    }

    public static void configure(Map<String, Object> knobs) {
        given().contentType(ContentType.JSON).body(knobs).put("/sim/config").then().statusCode(200);
    }

    /**
     * The real-time requests the service sent to {@code provider}: the simulator's count of real-time calls less the
     * service's own retries of failed attempts ({@code batchwise_realtime_retries_total}). A transport failure (a
     * pooled connection closed under a request, say) is retried by the caller, and such a repeat is not a second
     * send of the item; counting only the simulator's calls would make it one.
     */
    public static long realtimeSends(Provider provider) {
        long retries = 0;
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("batchwise_realtime_retries_total{")
                    && line.contains("provider=\"" + provider.wireName() + "\"")) {
                retries += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return stat(provider.wireName() + ".realtimeCalls") - retries;
    }

    /** A counter of {@code GET /sim/stats}, e.g. {@code anthropic.batchesCreated}. */
    public static long stat(String path) {
        return given().get("/sim/stats").then().statusCode(200).extract().jsonPath().getLong(path);
    }
}
