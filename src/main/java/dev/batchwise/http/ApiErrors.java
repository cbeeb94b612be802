package dev.batchwise.http;

import dev.batchwise.messaging.InvalidRecordException;
import io.quarkus.logging.Log;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one exception mapper of the API: every error is JSON, {@code {"error": "...", "status": n}}, naming the
 * problem. (The provider simulator answers in each provider's own error shape, with mappers of its own.)
 */
public class ApiErrors {

    /** The body of every error answer. */
    public record ApiError(String error, int status) {
    }

    @ServerExceptionMapper
    public Response invalid(InvalidRecordException e) {
        return answer(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response violations(ConstraintViolationException e) {
        return answer(400, e.getConstraintViolations().stream()
                .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                .map(v -> v.getPropertyPath() + " " + v.getMessage()).collect(Collectors.joining("; ")));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = e.getMessage() == null || e.getMessage().isBlank()
                ? Response.Status.fromStatusCode(status) + "" : e.getMessage();
        return answer(status, message);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        Log.errorf(e, "request failed");
        return answer(500, "internal error: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    private static Response answer(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(message, status)).build();
    }
}
