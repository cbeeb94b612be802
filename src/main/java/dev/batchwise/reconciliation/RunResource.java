package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.messaging.JsonRecords;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs over HTTP: {@code POST /api/runs} publishes a run on {@code atoms.inferred} in parts (the same intake as
 * any producer's), {@code GET /api/runs/{runId}} shows where it is, {@code GET /api/runs/{runId}/atoms} lists its
 * atoms best quality first, unscored last, never filtered by score.
 */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    /** An atom as the review API shows it. */
    public record AtomView(String tempId, String description, String category, Integer qualityScore,
                           List<String> issues, String scoreSource, String parseIssue, String error) {

        static AtomView of(Atom atom) {
            return new AtomView(atom.tempId, atom.description, atom.category, atom.qualityScore, RunResource.issues(atom),
                    atom.scoreSource == null ? null : atom.scoreSource.toLowerCase(java.util.Locale.ROOT),
                    atom.parseIssue, atom.error);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    static List<String> issues(Atom atom) {
        if (atom.qualityIssues == null) {
            return List.of();
        }
        try {
            return List.of(MAPPER.readValue(atom.qualityIssues, String[].class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("atom " + atom.tempId + " has issues that are not a JSON list of strings", e);
        }
    }

    public record AtomPage(List<AtomView> atoms, long total) {
    }

    private final JsonRecords records;
    private final RunPublisher publisher;
    private final RunSnapshotService snapshots;

    RunResource(JsonRecords records, RunPublisher publisher, RunSnapshotService snapshots) {
        this.records = records;
        this.publisher = publisher;
        this.snapshots = snapshots;
    }

    /** What {@code POST /api/runs} answers once the broker has every part of the run. */
    public record Published(String runId, int parts) {
    }

    /**
     * Publishes a whole run in parts ({@link RunPublisher}); 202 once the broker has acknowledged every part. The body
     * is read as bytes, and parsed and checked off the event loop: a run of 100,000 atoms takes a while.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(byte[] body) {
        return Uni.createFrom().item(() -> {
                    JsonNode tree = records.tree(body);
                    VerifyNode.Intake intake = VerifyNode.parse(records, tree);
                    if (intake.event().part() != null) {
                        throw new InvalidRecordException("part and parts are not for POST /api/runs: it takes a whole"
                                + " run and publishes it in parts itself");
                    }
                    List<JsonNode> atoms = new ArrayList<>(intake.atomsJson().size());
                    intake.atomsJson().forEach(atoms::add);
                    return new Posted(intake.runId(), atoms, intake.event().options());
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(run -> publisher.publish(run.runId(), run.atoms(), run.options())
                        .map(parts -> Response.accepted(new Published(run.runId(), parts)).build()));
    }

    /** A checked body: the atoms as sent, so fields we do not model reach the stored payload. */
    private record Posted(String runId, List<JsonNode> atoms, JsonNode options) {
    }

    @GET
    @Path("/{runId}")
    public Uni<RunState> get(@PathParam("runId") String runId) {
        return snapshots.state(runId).map(state -> {
            if (state == null) {
                throw new NotFoundException("run '" + runId + "' not found");
            }
            return state;
        });
    }

    @GET
    @Path("/{runId}/atoms")
    @WithSession
    public Uni<AtomPage> atoms(@PathParam("runId") String runId,
                               @QueryParam("sort") @DefaultValue("quality") String sort,
                               @QueryParam("limit") @DefaultValue("100") int limit,
                               @QueryParam("offset") @DefaultValue("0") int offset) {
        if (!"quality".equals(sort)) {
            throw new BadRequestException("sort must be quality (was '" + sort + "')");
        }
        if (limit < 1 || limit > 1000) {
            throw new BadRequestException("limit must be between 1 and 1000 (was " + limit + ")");
        }
        if (offset < 0) {
            throw new BadRequestException("offset must be >= 0 (was " + offset + ")");
        }
        return ReconciliationRun.<ReconciliationRun>findById(runId).flatMap(run -> {
            if (run == null) {
                throw new NotFoundException("run '" + runId + "' not found");
            }
            Sort order = Sort.by("qualityScore", Sort.Direction.Descending, Sort.NullPrecedence.NULLS_LAST).and("tempId");
            return Atom.<Atom>find("runId", order, runId).range(offset, offset + limit - 1).list()
                    .flatMap(atoms -> Atom.count("runId", runId)
                            .map(total -> new AtomPage(atoms.stream().map(AtomView::of).toList(), total)));
        });
    }
}
