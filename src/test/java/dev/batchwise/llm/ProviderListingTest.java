package dev.batchwise.llm;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** submit with metadata and listSince through each adapter against the built-in simulator. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class ProviderListingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    @Any
    Instance<ProviderAdapter> adapters;

    private String savedSettings;

    @BeforeEach
    void slowBatches() {
        savedSettings = given().get("/sim/config").then().statusCode(200).extract().asString();
        // still running while listed: statuses are PROCESSING or SUBMITTED, and nothing ends mid-test
        given().contentType(ContentType.JSON).body(Map.of("batchFixedMs", 600_000, "batchPerItemMs", 0,
                "itemErrorRate", 0, "neverFinish", false, "failBatches", false)).put("/sim/config").then().statusCode(200);
    }

    @AfterEach
    void restore() {
        given().contentType(ContentType.JSON).body(savedSettings).put("/sim/config").then().statusCode(200);
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void batchesSubmittedSinceAPointAreListedNewestFirstWithTheirMetadata(Provider provider) {
        ProviderAdapter adapter = adapter(provider);
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant since = Instant.now();
        List<ProviderBatch> submitted = new ArrayList<>();
        List<Map<String, String>> metadata = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, String> meta = Map.of("batchwise_job", "job-" + run + "-" + i, "attempt", "1");
            metadata.add(meta);
            submitted.add(adapter.submit(List.of(LlmRequest.of("list-" + run + "-" + i, null, "Hello " + i)), meta)
                    .await().atMost(WAIT));
        }
        try {
            List<ProviderBatchInfo> found = adapter.listSince(since).collect().asList().await().atMost(WAIT);

            List<String> newestFirst = submitted.stream().map(ProviderBatch::providerBatchId)
                    .collect(Collectors.toCollection(ArrayList::new));
            Collections.reverse(newestFirst);
            assertTrue(found.size() >= 3, found.toString());
            assertEquals(newestFirst, found.subList(0, 3).stream().map(ProviderBatchInfo::providerBatchId).toList());
            Set<String> ours = Set.copyOf(newestFirst);
            // OpenAI's created_at is whole seconds: a batch of an earlier test in since's second may follow ours
            for (ProviderBatchInfo other : found.subList(3, found.size())) {
                assertFalse(ours.contains(other.providerBatchId()), other.toString());
                assertEquals(Provider.OPENAI, provider, "only OpenAI's second-precision can add older ones: " + other);
            }
            for (int i = 0; i < 3; i++) {
                ProviderBatchInfo info = found.get(2 - i);
                assertEquals(submitted.get(i).submittedAt(), info.createdAt(), info.toString());
                assertEquals(provider == Provider.OPENAI ? metadata.get(i) : Map.of(), info.metadata(), info.toString());
                assertNotNull(info.status(), info.toString());
                assertEquals(provider, info.status().provider());
                assertEquals(info.providerBatchId(), info.status().providerBatchId());
                assertFalse(info.status().status().isFinal(), info.toString());
                if (provider == Provider.ANTHROPIC) {
                    // OpenAI counts nothing while validating
                    assertEquals(1, info.status().totals().submitted(), info.toString());
                }
            }

            Instant afterThem = submitted.get(2).submittedAt().plusSeconds(1);
            assertEquals(List.of(), adapter.listSince(afterThem).collect().asList().await().atMost(WAIT));
        } finally {
            submitted.forEach(b -> adapter.cancel(b.providerBatchId()).await().atMost(WAIT));
        }
    }

    private ProviderAdapter adapter(Provider provider) {
        return adapters.stream().filter(a -> a.provider() == provider).findFirst().orElseThrow();
    }
}
