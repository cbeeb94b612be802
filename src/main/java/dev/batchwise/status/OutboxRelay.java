package dev.batchwise.status;

import dev.batchwise.database.Database;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import dev.batchwise.platform.Periodic;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Sends outbox rows to Kafka in the order they were written, then deletes them. One relay at a time across all
 * instances (a transaction-scoped advisory lock), so events keep their order per key; rows are deleted in the
 * transaction that read them only after the broker acknowledged every send, so a crash means a resend, never a
 * loss (consumers are idempotent).
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String CHANNEL = "outbox-out";
    /** Any fixed number: the key of the advisory lock that makes the relay one at a time. */
    private static final long LOCK_KEY = 0x62617463687769L;
    private static final int PAGE = 500;

    private final Database database;
    private final RunSnapshots snapshots;
    private final ObjectMapper mapper;
    private final MutinyEmitter<String> emitter;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private Cancellable ticks = () -> { };

    OutboxRelay(Database database, RunSnapshots snapshots, ObjectMapper mapper, @Channel(CHANNEL) MutinyEmitter<String> emitter) {
        this.database = database;
        this.snapshots = snapshots;
        this.mapper = mapper;
        this.emitter = emitter;
    }

    /** Relays now, or right after the round under way. */
    void nudge() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            drain().subscribe().with(ignored -> { }, failure -> { });
        }
    }

    /** The backstop: rows written by another instance, or left by a failed round. */
    void start(@Observes StartupEvent ignored,
               @ConfigProperty(name = "batchwise.outbox.relay-interval", defaultValue = "1s") Duration interval) {
        ticks = Periodic.every("outbox relay", interval, () -> {
            nudge();
            return Uni.createFrom().voidItem();
        });
    }

    void stop(@Observes ShutdownEvent ignored) {
        ticks.cancel();
    }

    private Uni<Void> drain() {
        again.set(false);
        return relayPage()
                .onFailure().invoke(failure -> Log.warnf("outbox: relay round failed, retried shortly: %s", failure.toString()))
                .onFailure().recoverWithItem(0)
                .flatMap(sent -> {
                    if (sent == PAGE || again.get()) {
                        return drain();
                    }
                    running.set(false);
                    // a nudge between the check above and the reset would otherwise wait for the next tick
                    if (again.get() && running.compareAndSet(false, true)) {
                        return drain();
                    }
                    return Uni.createFrom().voidItem();
                });
    }

    /** One page of rows: sent in order, deleted once all are acknowledged. The number of rows sent. */
    Uni<Integer> relayPage() {
        return database.pool().withTransaction(tx -> tx.query("select pg_try_advisory_xact_lock(" + LOCK_KEY + ")").execute()
                .flatMap(locked -> locked.iterator().next().getBoolean(0)
                        ? tx.preparedQuery("select id, topic, record_key, payload::text as payload from outbox"
                                + " order by id limit $1").execute(Tuple.of(PAGE)).flatMap(rows -> send(tx, rows))
                        : Uni.createFrom().item(0)));
    }

    private Uni<Integer> send(SqlConnection tx, Iterable<Row> rows) {
        List<Row> page = new ArrayList<>();
        rows.forEach(page::add);
        if (page.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // a run's status is read when sent: only its last status row in the page needs sending
        Set<String> laterStatus = new HashSet<>();
        List<Row> wanted = new ArrayList<>();
        for (int i = page.size() - 1; i >= 0; i--) {
            Row row = page.get(i);
            boolean status = row.getString("payload") == null;
            if (!status || laterStatus.add(row.getString("record_key"))) {
                wanted.add(0, row);
            }
        }
        Long[] ids = page.stream().map(r -> r.getLong("id")).toArray(Long[]::new);
        return Multi.createFrom().iterable(wanted)
                .onItem().transformToUniAndConcatenate(this::sendOne)
                .collect().last()
                .flatMap(ignored -> tx.preparedQuery("delete from outbox where id = any($1)").execute(Tuple.of(ids)))
                .replaceWith(page.size());
    }

    private Uni<Void> sendOne(Row row) {
        String topic = row.getString("topic");
        String key = row.getString("record_key");
        String payload = row.getString("payload");
        Uni<String> value = payload != null ? Uni.createFrom().item(payload)
                : snapshots.current(key).map(event -> event == null ? null : json(event));
        return value.flatMap(json -> {
            if (json == null) {
                Log.warnf("outbox: run=%s no longer exists; its status event is dropped", key);
                return Uni.createFrom().voidItem();
            }
            return emitter.sendMessage(Message.of(json).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                    .withTopic(topic).withKey(key).build()));
        });
    }

    private String json(StatusEvent event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status event of run " + event.runId() + " is not JSON", e);
        }
    }
}
