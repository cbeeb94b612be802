package dev.batchwise.settings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/config}: the batch settings that apply now and where each came from. {@code PUT /api/config}
 * with the plan's shape ({@code {"batch": {"threshold": 30, ...}}}) checks and stores it, and answers as GET does.
 */
@Path("/api/config")
@Produces(MediaType.APPLICATION_JSON)
public class ConfigResource {

    private final RuntimeSettings settings;
    private final ObjectMapper mapper;

    ConfigResource(RuntimeSettings settings, ObjectMapper mapper) {
        this.settings = settings;
        this.mapper = mapper;
    }

    @GET
    public Uni<RuntimeSettings.View> get() {
        return settings.view();
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RuntimeSettings.View> put(String body) {
        return Uni.createFrom().deferred(() -> {
            // the body is read here, not bound to a type, so every problem is named the same way
            JsonNode config;
            try {
                config = body == null || body.isBlank() ? null : mapper.readTree(body);
            } catch (JsonProcessingException e) {
                throw new BadRequestException("body is not JSON: " + e.getOriginalMessage());
            }
            if (config == null || !config.isObject()) {
                throw new BadRequestException("body must be a JSON object, e.g. {\"batch\": {\"threshold\": 30}}");
            }
            return settings.store(config);
        });
    }
}
