package dev.batchwise.cost;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/runs/{runId}/cost}: one run's cost and saving. A class of its own at the full path: under a
 * class at {@code /api}, requests below {@code /api/runs} go to RunResource's class and find no method there.
 */
@Path("/api/runs/{runId}/cost")
@Produces(MediaType.APPLICATION_JSON)
public class RunCostResource {

    private final CostQueries queries;

    RunCostResource(CostQueries queries) {
        this.queries = queries;
    }

    @GET
    public Uni<CostSummary> run(@PathParam("runId") String runId) {
        return queries.run(runId).onItem().ifNull().failWith(() -> new NotFoundException("run " + runId + " not found"));
    }
}
