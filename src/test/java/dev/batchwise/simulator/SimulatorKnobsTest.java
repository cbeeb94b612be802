package dev.batchwise.simulator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET|PUT /sim/config}: the key never shown, the new knobs' defaults and range checks. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class SimulatorKnobsTest {

    private String saved;

    @BeforeEach
    void save() {
        saved = given().get("/sim/config").then().statusCode(200).extract().asString();
    }

    @AfterEach
    void restore() {
        given().contentType(ContentType.JSON).body(saved).put("/sim/config").then().statusCode(200);
    }

    @Test
    void theApiKeyIsNeverShownOnlyWhetherOneIsSet() {
        given().get("/sim/config").then().statusCode(200)
                .body("$", not(hasKey("apiKey"))).body("apiKeySet", equalTo(false));

        String secret = "sk-never-shown-" + System.nanoTime();
        String answer = put(Map.of("apiKey", secret)).then().statusCode(200)
                .body("$", not(hasKey("apiKey"))).body("apiKeySet", equalTo(true)).extract().asString();
        assertFalse(answer.contains(secret));
        String shown = given().get("/sim/config").then().statusCode(200).body("apiKeySet", equalTo(true))
                .extract().asString();
        assertFalse(shown.contains(secret), shown);
        // the key is in force although not shown
        given().header("x-api-key", "sk-wrong").header("anthropic-version", "2023-06-01")
                .get("/sim/anthropic/v1/messages/batches").then().statusCode(401);
        given().header("x-api-key", secret).header("anthropic-version", "2023-06-01")
                .get("/sim/anthropic/v1/messages/batches").then().statusCode(200);

        // what GET shows can be PUT back as it is: apiKeySet true keeps the key
        given().contentType(ContentType.JSON).body(shown).put("/sim/config").then().statusCode(200)
                .body("apiKeySet", equalTo(true));
        given().header("x-api-key", secret).header("anthropic-version", "2023-06-01")
                .get("/sim/anthropic/v1/messages/batches").then().statusCode(200);
        // and apiKeySet false removes it
        put(Map.of("apiKeySet", false)).then().statusCode(200).body("apiKeySet", equalTo(false));
        given().header("x-api-key", "sk-any").header("anthropic-version", "2023-06-01")
                .get("/sim/anthropic/v1/messages/batches").then().statusCode(200);
    }

    @Test
    void apiKeySetTrueWithoutAKnownKeyIsRefused() {
        put(Map.of("apiKeySet", false)).then().statusCode(200);
        put(Map.of("apiKeySet", true)).then().statusCode(400).body("error", containsString("apiKey"));
        put(Map.of("apiKeySet", "yes")).then().statusCode(400).body("error", containsString("apiKeySet"));
    }

    @Test
    void theWorstCaseKnobsDefaultToAWellBehavedProvider() {
        given().get("/sim/config").then().statusCode(200)
                .body("cancelDrainMs", equalTo(300))
                .body("batchEndpointErrorRate", equalTo(0.0f))
                .body("resultsCutAfterLines", equalTo(0))
                .body("malformedLineRate", equalTo(0.0f));
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheKnob() {
        for (Map.Entry<String, Object> bad : Map.<String, Object>of("batchEndpointErrorRate", 1.5,
                "malformedLineRate", -0.1, "resultsCutAfterLines", -1, "cancelDrainMs", -1).entrySet()) {
            put(Map.of(bad.getKey(), bad.getValue())).then().statusCode(400)
                    .body("error", containsString(bad.getKey()));
        }
        put(Map.of("noSuchKnob", 1)).then().statusCode(400).body("error", containsString("noSuchKnob"));
        given().get("/sim/config").then().body("resultsCutAfterLines", equalTo(0)).body("cancelDrainMs", equalTo(300));
    }

    private static io.restassured.response.Response put(Map<String, ?> patch) {
        return given().contentType(ContentType.JSON).body(patch).put("/sim/config");
    }
}
