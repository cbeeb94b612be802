package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The simulator's own endpoints: {@code GET /sim/stats}, {@code DELETE /sim/stats}, {@code GET|PUT /sim/config}. */
@Path("/sim")
@Produces(MediaType.APPLICATION_JSON)
public class SimulatorResource {

    private final SimulatorStats stats;
    private final SimulatorKnobs knobs;

    SimulatorResource(SimulatorStats stats, SimulatorKnobs knobs) {
        this.stats = stats;
        this.knobs = knobs;
    }

    @GET
    @Path("/stats")
    public Map<String, SimulatorStats.View> stats() {
        return stats.view();
    }

    @DELETE
    @Path("/stats")
    public Map<String, SimulatorStats.View> resetStats() {
        stats.reset();
        return stats.view();
    }

    /** The knobs, without the API key itself (only {@code apiKeySet}): this endpoint has no auth. */
    @GET
    @Path("/config")
    public ObjectNode config() {
        return knobs.view();
    }

    @PUT
    @Path("/config")
    @Consumes(MediaType.APPLICATION_JSON)
    public ObjectNode update(JsonNode patch) {
        return knobs.update(patch);
    }

    @ServerExceptionMapper
    public Response badSetting(IllegalArgumentException e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", e.getMessage())).build();
    }
}
