package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.messaging.JsonRecords;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * {@code POST /api/inference-runs}: the HTTP producer of {@code inference.requested}. The body is the record's
 * ({@code {runId, tests:[{testId, name, context, ...}], options?}}), checked as InferAtomsNode checks it (400
 * naming the bad field), then published in parts; 202 {@code {runId, parts}} once the broker has every part. The
 * run is then followed like any other, at {@code GET /api/runs/{runId}}.
 */
@Path("/api/inference-runs")
@Produces(MediaType.APPLICATION_JSON)
public class InferenceRunResource {

    private final JsonRecords records;
    private final InferencePublisher publisher;

    InferenceRunResource(JsonRecords records, InferencePublisher publisher) {
        this.records = records;
        this.publisher = publisher;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(byte[] body) {
        return Uni.createFrom().item(() -> {
                    Intake<InferenceRequested> intake = InferAtomsNode.parse(records, records.tree(body));
                    return new Posted(intake.runId(), intake.wholeRun(intake.event().part(),
                            "POST /api/inference-runs"), intake.event().options());
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(run -> publisher.publish(run.runId(), run.tests(), run.options())
                        .map(parts -> Response.accepted(new RunResource.Published(run.runId(), parts)).build()));
    }

    private record Posted(String runId, List<JsonNode> tests, JsonNode options) {
    }
}
