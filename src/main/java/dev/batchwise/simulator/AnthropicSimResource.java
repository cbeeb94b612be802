package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchwise.llm.Provider;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Anthropic's Messages and Message Batches APIs under {@code /sim/anthropic} (so the SDK's base URL is
 * {@code http://host:port/sim/anthropic}). Auth and versions as the real API: {@code x-api-key} or
 * {@code Authorization: Bearer}, {@code anthropic-version} 2023-06-01 or 2026-10-21.
 */
@Path("/sim/anthropic/v1")
public class AnthropicSimResource {

    private final AnthropicSimulator simulator;
    private final RealtimeAdmission admission;
    private final BatchEndpointFaults faults;
    private final ObjectMapper mapper;

    AnthropicSimResource(AnthropicSimulator simulator, RealtimeAdmission admission, BatchEndpointFaults faults,
                         ObjectMapper mapper) {
        this.simulator = simulator;
        this.admission = admission;
        this.faults = faults;
        this.mapper = mapper;
    }

    @POST
    @Path("/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> messages(@HeaderParam("x-api-key") String apiKey,
                                  @HeaderParam("authorization") String authorization,
                                  @HeaderParam("anthropic-version") String version, JsonNode body) {
        checkAuthAndVersion(apiKey, authorization, version);
        return admission.call(Provider.ANTHROPIC, () -> simulator.realtime(body, version));
    }

    @POST
    @Path("/messages/batches")
    @Blocking
    public Response createBatch(@HeaderParam("x-api-key") String apiKey,
                                @HeaderParam("authorization") String authorization,
                                @HeaderParam("anthropic-version") String version,
                                @Context UriInfo uri, InputStream body) throws IOException {
        checkAuthAndVersion(apiKey, authorization, version);
        try {
            faults.check(Provider.ANTHROPIC);
        } catch (BatchEndpointFaults.Injected e) {
            body.transferTo(OutputStream.nullOutputStream()); // read, as a server would, but create nothing
            throw e;
        }
        AnthropicBatch batch = simulator.create(body, version);
        return json(simulator.toJson(batch, resultsBase(uri)));
    }

    @GET
    @Path("/messages/batches/{id}")
    public Response getBatch(@HeaderParam("x-api-key") String apiKey,
                             @HeaderParam("authorization") String authorization,
                             @HeaderParam("anthropic-version") String version,
                             @PathParam("id") String id, @Context UriInfo uri) {
        checkAuthAndVersion(apiKey, authorization, version);
        faults.check(Provider.ANTHROPIC);
        return json(simulator.toJson(simulator.get(id), resultsBase(uri)));
    }

    @GET
    @Path("/messages/batches")
    public Response listBatches(@HeaderParam("x-api-key") String apiKey,
                                @HeaderParam("authorization") String authorization,
                                @HeaderParam("anthropic-version") String version,
                                @QueryParam("limit") @DefaultValue("20") int limit,
                                @QueryParam("after_id") String afterId, @QueryParam("before_id") String beforeId,
                                @Context UriInfo uri) {
        checkAuthAndVersion(apiKey, authorization, version);
        faults.check(Provider.ANTHROPIC);
        if (limit < 1 || limit > 1000) {
            throw new SimulatorException(400, "invalid_request_error", "limit: Input should be between 1 and 1000");
        }
        List<AnthropicBatch> all = simulator.listNewestFirst();
        int from = 0;
        int to = all.size();
        if (afterId != null) {
            from = indexOf(all, afterId) + 1;
        }
        if (beforeId != null) {
            to = indexOf(all, beforeId);
            from = Math.max(from, to - limit);
        }
        List<AnthropicBatch> page = all.subList(Math.min(from, to), Math.min(to, from + limit));
        ObjectNode json = mapper.createObjectNode();
        page.forEach(batch -> json.withArray("data").add(simulator.toJson(batch, resultsBase(uri))));
        json.withArray("data");
        json.put("has_more", beforeId != null ? from > 0 : from + page.size() < to);
        json.put("first_id", page.isEmpty() ? null : page.get(0).id);
        json.put("last_id", page.isEmpty() ? null : page.get(page.size() - 1).id);
        return json(json);
    }

    @POST
    @Path("/messages/batches/{id}/cancel")
    public Response cancel(@HeaderParam("x-api-key") String apiKey,
                           @HeaderParam("authorization") String authorization,
                           @HeaderParam("anthropic-version") String version,
                           @PathParam("id") String id, @Context UriInfo uri) {
        checkAuthAndVersion(apiKey, authorization, version);
        faults.check(Provider.ANTHROPIC);
        return json(simulator.toJson(simulator.cancel(id), resultsBase(uri)));
    }

    @DELETE
    @Path("/messages/batches/{id}")
    public Response delete(@HeaderParam("x-api-key") String apiKey,
                           @HeaderParam("authorization") String authorization,
                           @HeaderParam("anthropic-version") String version, @PathParam("id") String id) {
        checkAuthAndVersion(apiKey, authorization, version);
        simulator.delete(id);
        return json(mapper.createObjectNode().put("id", id).put("type", "message_batch_deleted"));
    }

    @GET
    @Path("/messages/batches/{id}/results")
    @Blocking
    public Response results(@HeaderParam("x-api-key") String apiKey,
                            @HeaderParam("authorization") String authorization,
                            @HeaderParam("anthropic-version") String version, @PathParam("id") String id,
                            @Context HttpServerRequest request) {
        checkAuthAndVersion(apiKey, authorization, version);
        faults.check(Provider.ANTHROPIC);
        AnthropicBatch batch = simulator.get(id);
        if (!batch.isEnded(Instant.now())) {
            // UNCONFIRMED: the real reply before the batch has ended; SDKs refuse client-side, so a 400 is likely
            throw new SimulatorException(400, "invalid_request_error", "Message batch '" + id
                    + "' has not ended yet; results are available once processing_status is 'ended'");
        }
        int cutAfterLines = simulator.beginDownload(batch);
        StreamingOutput stream = ResultLines.download(request,
                out -> simulator.writeResults(batch, out, cutAfterLines));
        // UNCONFIRMED: the real Content-Type; clients read it as lines either way
        return Response.ok(stream).type("application/x-jsonl").header("request-id", SimulatorIds.next("req_")).build();
    }

    @ServerExceptionMapper
    public Response error(SimulatorException e) {
        ObjectNode body = simulator.errorBody(e.type, e.getMessage());
        Response.ResponseBuilder response = Response.status(e.status)
                .type(MediaType.APPLICATION_JSON)
                .header("request-id", SimulatorIds.next("req_"));
        if (e instanceof BatchEndpointFaults.Injected injected) {
            // as the real API's transient 5xx: retry advised, but no retry-after
            response.header("x-should-retry", "true");
            if (injected.nullRequestId) {
                body.putNull("request_id");
            }
        }
        response.entity(body);
        if (e instanceof RealtimeAdmission.RateLimited limited) {
            // Anthropic sends whole seconds
            response.header("retry-after", Long.toString((limited.retryAfterMillis + 999) / 1000));
            limited.headers.forEach(response::header);
        }
        return response.build();
    }

    private void checkAuthAndVersion(String apiKey, String authorization, String version) {
        String key = apiKey != null ? apiKey
                : authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        String keyProblem = admission.keyProblem(key, "x-api-key header is required", "invalid x-api-key");
        if (keyProblem != null) {
            throw new SimulatorException(401, "authentication_error", keyProblem);
        }
        if (version == null || version.isBlank()) {
            throw new SimulatorException(400, "invalid_request_error", "anthropic-version: header is required");
        }
        if (!AnthropicPrompt.VERSION_2023.equals(version) && !AnthropicPrompt.VERSION_2026.equals(version)) {
            throw new SimulatorException(400, "invalid_request_error", "anthropic-version: unknown version '"
                    + version + "'; use " + AnthropicPrompt.VERSION_2023 + " or " + AnthropicPrompt.VERSION_2026);
        }
    }

    private static int indexOf(List<AnthropicBatch> all, String id) {
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id.equals(id)) {
                return i;
            }
        }
        throw new SimulatorException(404, "not_found_error", "No message batch found with id '" + id + "'");
    }

    private static String resultsBase(UriInfo uri) {
        return uri.getBaseUri().resolve("sim/anthropic/v1/messages/batches/").toString();
    }

    private static Response json(JsonNode body) {
        return Response.ok(body, MediaType.APPLICATION_JSON).header("request-id", SimulatorIds.next("req_")).build();
    }

}
