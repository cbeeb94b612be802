package dev.batchwise.llm.anthropic;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;

/** Anthropic's API as a Quarkus REST Client; built per base URL by {@link AnthropicAdapter}. */
@Path("/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
interface AnthropicApi {

    @POST
    @Path("/messages")
    Uni<RestResponse<AnthropicWire.Message>> createMessage(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, AnthropicWire.MessageRequest request);

    @POST
    @Path("/messages/batches")
    /** The body ({@code {"requests": [...]}}) already written as JSON to a file, which is streamed from disk. */
    Uni<AnthropicWire.MessageBatch> createBatch(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, java.io.File body);

    @GET
    @Path("/messages/batches/{id}")
    Uni<AnthropicWire.MessageBatch> getBatch(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @PathParam("id") String id);

    /** Newest first; {@code afterId} (a page's {@code last_id}, null for the first page) pages to older batches. */
    @GET
    @Path("/messages/batches")
    Uni<AnthropicWire.BatchList> listBatches(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @QueryParam("limit") int limit,
            @QueryParam("after_id") String afterId);

    @POST
    @Path("/messages/batches/{id}/cancel")
    Uni<AnthropicWire.MessageBatch> cancelBatch(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @PathParam("id") String id);

    /**
     * The results JSONL as raw chunks as they arrive, split into lines by the caller: never the whole file in
     * memory. (Byte chunks, because the REST client streams any content type that way; Anthropic does not
     * label its results as NDJSON.)
     */
    @GET
    @Path("/messages/batches/{id}/results")
    @Produces(MediaType.WILDCARD)
    Multi<byte[]> results(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @PathParam("id") String id);

    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        return AnthropicErrors.toException(response);
    }
}
