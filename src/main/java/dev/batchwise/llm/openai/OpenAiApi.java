package dev.batchwise.llm.openai;

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
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

/**
 * OpenAI's API as a Quarkus REST Client; built per base URL by {@link OpenAiAdapter}. The base URL includes
 * {@code /v1} (as the official SDK has it), so paths here are relative to it. {@code authorization} is the
 * whole header value, {@code Bearer <key>}.
 */
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
interface OpenAiApi {

    @POST
    @Path("/chat/completions")
    Uni<RestResponse<OpenAiWire.ChatCompletion>> createChatCompletion(
            @HeaderParam("Authorization") String authorization, OpenAiWire.ChatRequest request);

    /** Multipart: a {@code file} part (streamed from disk) and {@code purpose}. */
    @POST
    @Path("/files")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    Uni<OpenAiWire.FileObject> uploadFile(@HeaderParam("Authorization") String authorization,
            ClientMultipartForm form);

    @POST
    @Path("/batches")
    Uni<OpenAiWire.Batch> createBatch(@HeaderParam("Authorization") String authorization,
            OpenAiWire.BatchCreate request);

    @GET
    @Path("/batches/{id}")
    Uni<OpenAiWire.Batch> getBatch(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    /** Newest first; {@code after} (a page's {@code last_id}, null for the first page) pages to older batches. */
    @GET
    @Path("/batches")
    Uni<OpenAiWire.BatchList> listBatches(@HeaderParam("Authorization") String authorization,
            @QueryParam("limit") int limit, @QueryParam("after") String after);

    @POST
    @Path("/batches/{id}/cancel")
    Uni<OpenAiWire.Batch> cancelBatch(@HeaderParam("Authorization") String authorization,
            @PathParam("id") String id);

    /**
     * A file's bytes as raw chunks as they arrive, split into lines by the caller: never the whole file in
     * memory. (Byte chunks, as for Anthropic's results: the REST client has no reader for Vert.x Buffers, and
     * streams any content type as bytes except NDJSON / stream+json, which it would cut into lines without their
     * newlines; OpenAI does not label file content that way.)
     */
    @GET
    @Path("/files/{id}/content")
    @Produces(MediaType.WILDCARD)
    Multi<byte[]> fileContent(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        return OpenAiErrors.toException(response);
    }
}
