package dev.batchwise.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.llm.Provider;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * OpenAI's Files, Batches and Chat Completions APIs under {@code /sim/openai/v1}, so the SDK's base URL is
 * {@code http://host:port/sim/openai/v1} (OpenAI's base URL includes the {@code /v1}). Auth as the real API:
 * {@code Authorization: Bearer <key>}. Every error has OpenAI's shape {@code {"error": {message, type, param,
 * code}}}.
 */
@Path("/sim/openai/v1")
public class OpenAiSimResource {

    private static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data",
            "evals");
    /** Any file (§2.3); batch input files have the smaller openaiMaxFileBytes. */
    private static final long MAX_FILE_BYTES = 512L * 1024 * 1024;
    private static final long BATCH_FILE_TTL_SECONDS = 30L * 24 * 3600;

    private final OpenAiSimulator simulator;
    private final OpenAiFileStore files;
    private final RealtimeAdmission admission;
    private final BatchEndpointFaults faults;
    private final SimulatorKnobs knobs;

    OpenAiSimResource(OpenAiSimulator simulator, OpenAiFileStore files, RealtimeAdmission admission,
                      BatchEndpointFaults faults, SimulatorKnobs knobs) {
        this.simulator = simulator;
        this.files = files;
        this.admission = admission;
        this.faults = faults;
        this.knobs = knobs;
    }

    // ---- chat completions ----

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> chatCompletions(@HeaderParam("authorization") String authorization, JsonNode body) {
        checkAuth(authorization);
        return admission.call(Provider.OPENAI, () -> simulator.chatCompletion(body))
                .map(ok -> Response.fromResponse(ok).header("x-request-id", SimulatorIds.next("req_")).build());
    }

    // ---- files ----

    /** Blocking: the upload is copied (and checked line by line) from Quarkus' upload file into the store. */
    @POST
    @Path("/files")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Response upload(@HeaderParam("authorization") String authorization, @RestForm("file") FileUpload file,
                           @RestForm("purpose") String purpose,
                           @RestForm("expires_after[anchor]") String expiresAnchor,
                           @RestForm("expires_after[seconds]") String expiresSeconds) throws IOException {
        checkAuth(authorization);
        faults.check(Provider.OPENAI); // before anything is stored: the client's retry is the only upload
        if (file == null) {
            // also what a part without a filename comes to: it arrives as a plain form field
            throw OpenAiError.invalid("Missing required parameter: 'file' (a file part with a filename).", "file",
                    "missing_required_parameter");
        }
        if (purpose == null || purpose.isBlank()) {
            throw OpenAiError.invalid("Missing required parameter: 'purpose'.", "purpose",
                    "missing_required_parameter");
        }
        if (!PURPOSES.contains(purpose)) {
            throw OpenAiError.invalid("Invalid value for 'purpose': '" + purpose + "'. Supported values are:"
                    + " 'assistants', 'batch', 'fine-tune', 'vision', 'user_data' and 'evals'.", "purpose",
                    "invalid_value");
        }
        long now = System.currentTimeMillis() / 1000;
        Long expiresAt = expiresAt(now, purpose, expiresAnchor, expiresSeconds);
        boolean batch = purpose.equals("batch");
        // UNCONFIRMED: the real API also wants a .jsonl name for batch files; we accept any name. More than
        // 50,000 lines is accepted here and fails the batch in validating (Corrections 4)
        long maxBytes = batch ? knobs.get().openaiMaxFileBytes() : MAX_FILE_BYTES;
        // UNCONFIRMED: a part without a filename; the SDK requires one in the answer, so we name it
        String filename = file.fileName() == null || file.fileName().isBlank() ? "file" : file.fileName();
        try (InputStream in = Files.newInputStream(file.uploadedFile())) {
            OpenAiFileStore.StoredFile stored = files.save(in, filename, purpose, maxBytes, expiresAt, now);
            return json(stored.toWire());
        }
    }

    private static Long expiresAt(long now, String purpose, String anchor, String seconds) {
        if (seconds == null && anchor == null) {
            return purpose.equals("batch") ? now + BATCH_FILE_TTL_SECONDS : null;
        }
        long value;
        try {
            value = Long.parseLong(String.valueOf(seconds).trim());
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (!"created_at".equals(anchor) || value < 3600 || value > 2_592_000) {
            throw OpenAiError.invalid("Invalid 'expires_after': anchor must be 'created_at' and seconds between"
                    + " 3600 and 2592000.", "expires_after", "invalid_value");
        }
        return now + value;
    }

    @GET
    @Path("/files/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // the size of a generated file is measured by generating it once
    public Response file(@HeaderParam("authorization") String authorization, @PathParam("id") String id)
            throws IOException {
        checkAuth(authorization);
        OpenAiFileStore.StoredFile stored = files.get(id);
        return json(stored != null ? stored.toWire() : generated(id).toWire());
    }

    /**
     * Uploaded files are streamed from disk, output and error files generated as a stream (the first download
     * of each may be cut, see {@code resultsCutAfterLines}). No @Produces: the SDK asks for
     * {@code application/binary}. UNCONFIRMED: the real Content-Type (§2.8).
     */
    @GET
    @Path("/files/{id}/content")
    @Blocking
    public Response content(@HeaderParam("authorization") String authorization, @PathParam("id") String id,
                            @Context HttpServerRequest request) {
        checkAuth(authorization);
        faults.check(Provider.OPENAI);
        OpenAiFileStore.StoredFile stored = files.get(id);
        if (stored != null) {
            StreamingOutput stream = out -> Files.copy(stored.path(), out);
            String type = stored.purpose().equals("batch") ? "application/jsonl" : MediaType.APPLICATION_OCTET_STREAM;
            return Response.ok(stream).type(type).header("x-request-id", SimulatorIds.next("req_")).build();
        }
        OpenAiSimulator.GeneratedFile generated = generated(id);
        int cutAfterLines = generated.beginDownload();
        StreamingOutput stream = ResultLines.download(request, out -> generated.write(out, cutAfterLines));
        return Response.ok(stream).type("application/jsonl").header("x-request-id", SimulatorIds.next("req_")).build();
    }

    @DELETE
    @Path("/files/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Response deleteFile(@HeaderParam("authorization") String authorization, @PathParam("id") String id)
            throws IOException {
        checkAuth(authorization);
        if (!files.delete(id)) {
            generated(id).delete();
        }
        return json(new OpenAiWire.FileDeleted(id, "file", true));
    }

    private OpenAiSimulator.GeneratedFile generated(String id) {
        OpenAiSimulator.GeneratedFile generated = simulator.generatedFile(id);
        if (generated == null) {
            throw OpenAiError.notFound("No such File object: " + id);
        }
        return generated;
    }

    // ---- batches ----

    /** Blocking: creating a batch reads its whole input file (line by line) from disk. */
    @POST
    @Path("/batches")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Response createBatch(@HeaderParam("authorization") String authorization, JsonNode body)
            throws IOException {
        checkAuth(authorization);
        faults.check(Provider.OPENAI); // before the batch exists: a failed create creates nothing
        return json(simulator.toWire(simulator.create(body)));
    }

    @GET
    @Path("/batches/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response batch(@HeaderParam("authorization") String authorization, @PathParam("id") String id) {
        checkAuth(authorization);
        faults.check(Provider.OPENAI);
        return json(simulator.toWire(simulator.get(id)));
    }

    @GET
    @Path("/batches")
    @Produces(MediaType.APPLICATION_JSON)
    public Response listBatches(@HeaderParam("authorization") String authorization,
                                @QueryParam("after") String after, @QueryParam("limit") String limitParam) {
        checkAuth(authorization);
        faults.check(Provider.OPENAI);
        int limit = limit(limitParam);
        List<OpenAiBatch> all = simulator.listNewestFirst();
        int from = 0;
        if (after != null && !after.isEmpty()) {
            from = indexOf(all, after) + 1;
        }
        List<OpenAiBatch> page = all.subList(Math.min(from, all.size()), Math.min(all.size(), from + limit));
        List<OpenAiWire.Batch> data = page.stream().map(simulator::toWire).toList();
        return json(new OpenAiWire.BatchList("list", data, page.isEmpty() ? null : page.get(0).id,
                page.isEmpty() ? null : page.get(page.size() - 1).id, from + page.size() < all.size()));
    }

    private static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return 20;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= 100) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw OpenAiError.invalid("Invalid 'limit': expected an integer between 1 and 100, got '" + value + "'.",
                "limit", "invalid_value");
    }

    private static int indexOf(List<OpenAiBatch> all, String id) {
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id.equals(id)) {
                return i;
            }
        }
        // UNCONFIRMED: what the real list answers for an unknown cursor
        throw OpenAiError.notFound("No batch found with id '" + id + "'.");
    }

    @POST
    @Path("/batches/{id}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@HeaderParam("authorization") String authorization, @PathParam("id") String id) {
        checkAuth(authorization);
        faults.check(Provider.OPENAI);
        return json(simulator.toWire(simulator.cancel(id)));
    }

    // ---- errors ----

    @ServerExceptionMapper
    public Response error(SimulatorException e) {
        Response.ResponseBuilder response = Response.status(e.status).type(MediaType.APPLICATION_JSON)
                .header("x-request-id", SimulatorIds.next("req_"))
                .entity(OpenAiError.body(e));
        if (e instanceof RealtimeAdmission.RateLimited limited) {
            // both: retry-after in whole seconds (rounded up), retry-after-ms exact, which the SDKs prefer
            response.header("retry-after", Long.toString((limited.retryAfterMillis + 999) / 1000));
            response.header("retry-after-ms", Long.toString(limited.retryAfterMillis));
            limited.headers.forEach(response::header);
        }
        return response.build();
    }

    /** A body that is not JSON, a wrong media type, and the like: still in OpenAI's shape. */
    @ServerExceptionMapper
    public Response error(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return error(json);
        }
        int status = e.getResponse().getStatus();
        return error(new OpenAiError(status, status >= 500 ? "server_error" : "invalid_request_error", null, null,
                e.getMessage()));
    }

    @ServerExceptionMapper
    public Response error(JsonProcessingException e) {
        // the real API's first sentence, then what Jackson found
        return error(OpenAiError.invalid("We could not parse the JSON body of your request. ("
                + e.getOriginalMessage() + ")", null, null));
    }

    private void checkAuth(String authorization) {
        String key = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        String problem = admission.keyProblem(key,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using"
                        + " Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                "Incorrect API key provided: " + masked(key) + ".");
        if (problem != null) {
            throw new OpenAiError(401, "invalid_request_error", "invalid_api_key", null, problem);
        }
    }

    private static String masked(String key) {
        return key == null || key.length() < 8 ? "***" : key.substring(0, 3) + "***" + key.substring(key.length() - 4);
    }

    private static Response json(Object body) {
        return Response.ok(body, MediaType.APPLICATION_JSON).header("x-request-id", SimulatorIds.next("req_")).build();
    }
}
