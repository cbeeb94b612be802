package dev.batchwise.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchwise.messaging.Topics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The transactional outbox: an event is written in the transaction of the state change it announces, on the
 * caller's connection, so both commit or neither does; {@link OutboxRelay} sends it to Kafka afterwards.
 * A run's status event carries no payload here: the relay reads the run's status when it sends, so what is
 * published is always the stored state, however many changes a relay round covers.
 */
@ApplicationScoped
public class Outbox {

    private final ObjectMapper mapper;
    private final OutboxRelay relay;

    Outbox(ObjectMapper mapper, OutboxRelay relay) {
        this.mapper = mapper;
        this.relay = relay;
    }

    /** Adds {@code payload} (serialised as JSON) for {@code topic}, keyed by {@code key}, in the caller's transaction. */
    public Uni<Void> add(SqlConnection tx, String topic, String key, Object payload) {
        String json;
        try {
            json = mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("event for " + topic + " is not JSON: "
                    + e.getOriginalMessage(), e));
        }
        return addJson(tx, topic, key, json);
    }

    /** As {@link #add}, for a payload that is JSON text already (a record its producer has sized). */
    public Uni<Void> addJson(SqlConnection tx, String topic, String key, String json) {
        return tx.preparedQuery("insert into outbox (topic, record_key, payload) values ($1, $2, $3::text::jsonb)")
                .execute(Tuple.of(topic, key, json)).replaceWithVoid();
    }

    /**
     * Announces that the run's status changed; the event is built from the run as stored when it is sent. The run's
     * {@code status_seq} grows in the same statement, so the event, and any snapshot read after this commit, carry a
     * seq above every earlier state's.
     */
    public Uni<Void> statusChanged(SqlConnection tx, String runId) {
        return tx.preparedQuery("with seq as (update reconciliation_runs set status_seq = status_seq + 1"
                        + " where run_id = $2) insert into outbox (topic, record_key) values ($1, $2)")
                .execute(Tuple.of(Topics.RECONCILIATION_STATUS, runId)).replaceWithVoid();
    }

    /** {@link #statusChanged(SqlConnection, String)} in a JDBC transaction (blocking: worker threads only). */
    public static void statusChanged(Connection tx, String runId) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("with seq as (update reconciliation_runs set status_seq ="
                + " status_seq + 1 where run_id = ?) insert into outbox (topic, record_key) values (?, ?)")) {
            insert.setString(1, runId);
            insert.setString(2, Topics.RECONCILIATION_STATUS);
            insert.setString(3, runId);
            insert.executeUpdate();
        }
    }

    /** Tells the relay there is something to send (after the caller's commit), so events do not wait a tick. */
    public void committed() {
        relay.nudge();
    }
}
