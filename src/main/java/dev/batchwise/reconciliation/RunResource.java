package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.cost.Mode;
import dev.batchwise.cost.Pricing;
import dev.batchwise.llm.LlmUsage;
import dev.batchwise.llm.Provider;
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
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Runs over HTTP: {@code POST /api/runs} publishes a run on {@code atoms.inferred} in parts (the same intake as
 * any producer's), {@code GET /api/runs} lists runs newest first, {@code GET /api/runs/{runId}} shows where one is,
 * {@code GET /api/runs/{runId}/atoms} lists its atoms (best quality first by default, unscored last in every quality
 * order, never filtered by score) and {@code GET /api/runs/{runId}/scores} counts its scores in buckets.
 */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    /**
     * An atom as the review API shows it. {@code costUsd}: what its answer cost at the price it was billed; null
     * when nothing was answered (or billed) or its model has no prices.
     */
    public record AtomView(String tempId, String description, String category, Integer qualityScore,
                           List<String> issues, String scoreSource, String parseIssue, String error,
                           BigDecimal costUsd) {

        static AtomView of(Atom atom, BigDecimal costUsd) {
            return new AtomView(atom.tempId, atom.description, atom.category, atom.qualityScore, RunResource.issues(atom),
                    atom.scoreSource == null ? null : atom.scoreSource.toLowerCase(java.util.Locale.ROOT),
                    atom.parseIssue, atom.error, costUsd);
        }
    }

    /** One answer's cost, priced by its own usage and mode. */
    private BigDecimal cost(ReconciliationRun run, Atom atom) {
        if (atom.answerMode == null || run.provider == null || !pricing.knows(atom.model)) {
            return null;
        }
        LlmUsage usage = new LlmUsage(atom.inputTokens, atom.outputTokens, atom.cacheCreationTokens,
                atom.cacheReadTokens);
        return pricing.price(Provider.valueOf(run.provider), atom.model, Mode.valueOf(atom.answerMode), usage)
                .actualUsd().setScale(6, RoundingMode.HALF_UP);
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
    private final ScoreHistogram histogram;
    private final Pricing pricing;

    RunResource(JsonRecords records, RunPublisher publisher, RunSnapshotService snapshots, ScoreHistogram histogram,
                Pricing pricing) {
        this.records = records;
        this.publisher = publisher;
        this.snapshots = snapshots;
        this.histogram = histogram;
        this.pricing = pricing;
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
                    Intake<AtomsInferred> intake = VerifyNode.parse(records, records.tree(body));
                    return new Posted(intake.runId(), intake.wholeRun(intake.event().part(), "POST /api/runs"),
                            intake.event().options());
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

    /** {@code GET /api/runs}: runs newest first, each as {@code GET /api/runs/{runId}} shows it. */
    @GET
    public Uni<RunSnapshotService.RunPage> list(@QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        return snapshots.list(intParam("limit", limit, 50, 1, 500), intParam("offset", offset, 0, 0, Integer.MAX_VALUE));
    }

    /** The columns the atoms table sorts by, as the query names them. */
    enum AtomSort {
        QUALITY("qualityScore"), TEMP_ID("tempId"), CATEGORY("category"), DESCRIPTION("description"),
        SCORE_SOURCE("scoreSource");

        final String field;

        AtomSort(String field) {
            this.field = field;
        }

        static AtomSort parse(String value) {
            for (AtomSort sort : values()) {
                if (sort.field.equals(value) || (sort == QUALITY && "quality".equals(value))) {
                    return sort;
                }
            }
            throw new BadRequestException("sort must be one of quality, tempId, category, description, scoreSource"
                    + " (was '" + value + "')");
        }

        /** Unscored atoms come last in every quality order (score, don't gate: they are listed, after the rest). */
        Sort order(Sort.Direction direction) {
            Sort order = this == QUALITY ? Sort.by(field, direction, Sort.NullPrecedence.NULLS_LAST)
                    : Sort.by(field, direction);
            return this == TEMP_ID ? order : order.and("tempId");
        }
    }

    @GET
    @Path("/{runId}/atoms")
    @WithSession
    public Uni<AtomPage> atoms(@PathParam("runId") String runId,
                               @QueryParam("sort") @DefaultValue("quality") String sort,
                               @QueryParam("order") String order,
                               @QueryParam("limit") String limit,
                               @QueryParam("offset") String offset) {
        AtomSort by = AtomSort.parse(sort);
        Sort.Direction direction;
        if (order == null) {
            // best quality first; every other column reads A to Z
            direction = by == AtomSort.QUALITY ? Sort.Direction.Descending : Sort.Direction.Ascending;
        } else if ("asc".equals(order) || "desc".equals(order)) {
            direction = "asc".equals(order) ? Sort.Direction.Ascending : Sort.Direction.Descending;
        } else {
            throw new BadRequestException("order must be asc or desc (was '" + order + "')");
        }
        int size = intParam("limit", limit, 100, 1, 1000);
        int from = intParam("offset", offset, 0, 0, Integer.MAX_VALUE);
        return ReconciliationRun.<ReconciliationRun>findById(runId).flatMap(run -> {
            if (run == null) {
                throw new NotFoundException("run '" + runId + "' not found");
            }
            return Atom.<Atom>find("runId", by.order(direction), runId).range(from, from + size - 1).list()
                    .flatMap(atoms -> Atom.count("runId", runId)
                            .map(total -> new AtomPage(atoms.stream().map(atom -> AtomView.of(atom, cost(run, atom)))
                                    .toList(), total)));
        });
    }

    /** {@code GET /api/runs/{runId}/scores}: the run's score histogram, counted in the database. */
    @GET
    @Path("/{runId}/scores")
    public Uni<ScoreHistogram.Scores> scores(@PathParam("runId") String runId) {
        return histogram.of(runId).map(scores -> {
            if (scores == null) {
                throw new NotFoundException("run '" + runId + "' not found");
            }
            return scores;
        });
    }

    /** A whole-number query parameter, or a 400 that names it; absent means {@code fallback}. */
    static int intParam(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new BadRequestException(name + " must be a whole number (was '" + value + "')");
        }
        if (parsed < min || parsed > max) {
            throw new BadRequestException(name + (max == Integer.MAX_VALUE ? " must be >= " + min
                    : " must be between " + min + " and " + max) + " (was " + parsed + ")");
        }
        return parsed;
    }
}
