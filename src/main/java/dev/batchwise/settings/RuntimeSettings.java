package dev.batchwise.settings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.database.Database;
import dev.batchwise.llm.LlmConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.BadRequestException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The batch settings that apply now: the row {@code default} of {@code llm_configurations} over the environment,
 * field by field. Read from the database every time it is asked (one primary-key lookup), so a change applies to
 * the next run or poller round without a restart and every instance sees the same values.
 */
@ApplicationScoped
public class RuntimeSettings {

    public static final String TABLE = "llm_configurations";
    static final String ROW = "default";

    /** What {@code GET /api/config} shows: the effective settings, and when the row was last written (or null). */
    public record View(EffectiveBatchSettings batch, Instant updatedAt) {
    }

    private final Database database;
    private final BatchEnvironment environment;
    private final LlmConfig llm;
    private final ObjectMapper mapper;
    /** The stored text last warned about, so a bad row is logged once, not on every read. */
    private volatile String warnedAbout;

    RuntimeSettings(Database database, BatchEnvironment environment, LlmConfig llm, ObjectMapper mapper) {
        this.database = database;
        this.environment = environment;
        this.llm = llm;
        this.mapper = mapper;
    }

    public Uni<EffectiveBatchSettings> batch() {
        return batch(database.pool());
    }

    /** As {@link #batch()}, on the caller's connection (inside its transaction). */
    public Uni<EffectiveBatchSettings> batch(SqlClient client) {
        return view(client).map(View::batch);
    }

    /** The environment's values alone, for when the row cannot be read. */
    public EffectiveBatchSettings environmentOnly() {
        return EffectiveBatchSettings.of(BatchOverrides.NONE, environment);
    }

    public Uni<View> view() {
        return view(database.pool());
    }

    private Uni<View> view(SqlClient client) {
        return client.preparedQuery("select config::text as config, updated_at from " + TABLE + " where name = $1")
                .execute(Tuple.of(ROW)).map(this::stored);
    }

    /**
     * Checks a configuration in the plan's shape and stores it as the row {@code default}, replacing what was
     * there: a field left out falls back to the environment. Every problem is named in one 400.
     */
    public Uni<View> store(JsonNode config) {
        return Uni.createFrom().deferred(() -> {
            List<String> problems = new ArrayList<>();
            BatchOverrides overrides = BatchOverrides.read(config, llm.provider(), true, problems::add);
            if (!problems.isEmpty()) {
                throw new BadRequestException(String.join("; ", problems));
            }
            return database.pool().preparedQuery("insert into " + TABLE + " (name, config, updated_at)"
                            + " values ($1, $2::text::jsonb, now()) on conflict (name) do update"
                            + " set config = excluded.config, updated_at = now()"
                            + " returning config::text as config, updated_at")
                    .execute(Tuple.of(ROW, overrides.toJson().toString())).map(this::stored)
                    .invoke(view -> Log.infof("%s row '%s' stored: %s", TABLE, ROW, overrides.toJson()));
        });
    }

    private View stored(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return new View(environmentOnly(), null);
        }
        Row row = rows.iterator().next();
        String text = row.getString("config");
        OffsetDateTime updatedAt = row.getOffsetDateTime("updated_at");
        List<String> problems = new ArrayList<>();
        BatchOverrides overrides;
        try {
            overrides = BatchOverrides.read(mapper.readTree(text), llm.provider(), false, problems::add);
        } catch (JsonProcessingException e) {
            // jsonb is always valid JSON; kept for the compiler's sake
            throw new IllegalStateException(TABLE + " row '" + ROW + "' is not JSON", e);
        }
        if (!problems.isEmpty() && !Objects.equals(text, warnedAbout)) {
            warnedAbout = text;
            Log.warnf("%s row '%s' has values that do not apply, the environment's are used instead: %s", TABLE,
                    ROW, String.join("; ", problems));
        }
        return new View(EffectiveBatchSettings.of(overrides, environment),
                updatedAt == null ? null : updatedAt.toInstant());
    }
}
