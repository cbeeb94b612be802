package dev.batchwise.simulator;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** With the simulator off (prod), everything under /sim answers 404, as if it did not exist. */
class SimulatorSwitch {

    private final SimulatorConfig config;

    SimulatorSwitch(SimulatorConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Response filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!config.enabled() && (path.equals("/sim") || path.startsWith("/sim/"))) {
            return Response.status(404).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "the provider simulator is off (batchwise.simulator.enabled=false)")).build();
        }
        return null;
    }
}
