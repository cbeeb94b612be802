package dev.batchwise.testing;

import static io.restassured.RestAssured.given;

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

    /** A counter of {@code GET /sim/stats}, e.g. {@code anthropic.batchesCreated}. */
    public static long stat(String path) {
        return given().get("/sim/stats").then().statusCode(200).extract().jsonPath().getLong(path);
    }
}
