package dev.batchwise.cost;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * {@code GET /api/cost?from=&to=}: the cost and saving ({@link RunCostResource}'s) summed
 * over the runs received in [from, to), each an ISO-8601 date-time with offset or a date (midnight UTC).
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class CostResource {

    private final CostQueries queries;

    CostResource(CostQueries queries) {
        this.queries = queries;
    }

    @GET
    @Path("/cost")
    public Uni<CostSummary> between(@QueryParam("from") String from, @QueryParam("to") String to) {
        OffsetDateTime start = instant("from", from);
        OffsetDateTime end = instant("to", to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw new BadRequestException("from (" + from + ") must be before to (" + to + ")");
        }
        return queries.between(start, end);
    }

    private static OffsetDateTime instant(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException notDateTime) {
            try {
                return LocalDate.parse(value).atStartOfDay().atOffset(ZoneOffset.UTC);
            } catch (DateTimeParseException notDate) {
                throw new BadRequestException(name + " must be an ISO-8601 date-time with offset"
                        + " (2026-12-01T00:00:00Z) or a date (2026-12-01), not '" + value + "'");
            }
        }
    }
}
