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
     * service's own retries of failed attempts that reached it ({@code batchwise_realtime_retries_total}, all reasons
     * but {@code unreachable}). A retry is not a second send of the item; and an attempt that got no HTTP answer (a
     * pooled connection the server had closed, say) may never have reached the simulator, so its retry is not
     * subtracted from the simulator's count.
     */
    public static long realtimeSends(Provider provider) {
        long retries = 0;
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("batchwise_realtime_retries_total{")
                    && line.contains("provider=\"" + provider.wireName() + "\"")
                    && !line.contains("reason=\"unreachable\"")) {
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
