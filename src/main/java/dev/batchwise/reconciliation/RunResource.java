package dev.batchwise.reconciliation;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.DefaultValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import java.util.List;
import jakarta.ws.rs.core.MediaType;

/** A run's state, and its atoms for review, best quality first (a sorting signal, never a filter). */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    @GET
    @Path("/{runId}")
    @WithSession
    public Uni<RunView> get(@PathParam("runId") String runId) {
        return ReconciliationRun.<ReconciliationRun>findById(runId)
                .map(run -> {
                    if (run == null) {
                        throw new NotFoundException("run '" + runId + "' not found");
                    }
                    return RunView.of(run);
                });
    }

    @GET
    @Path("/{runId}/atoms")
    @WithSession
    public Uni<List<AtomView>> atoms(@PathParam("runId") String runId,
                                     @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                     @QueryParam("size") @DefaultValue("100") @Min(1) @Max(1000) int size) {
        return get(runId).flatMap(run -> Atom.<Atom>find("runId", 
                        Sort.by("qualityScore", Sort.Direction.Descending, Sort.NullPrecedence.NULLS_LAST).and("tempId"),
                        runId)
                .page(Page.of(page, size)).list()
                .map(atoms -> atoms.stream().map(AtomView::of).toList()));
    }
}
