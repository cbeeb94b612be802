package dev.batchwise.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSocket clients of this instance, each with its {@link StatusFeed}. A new client is subscribed to live
 * events first and only then is the snapshot read, so an event published in between (the final one, say) reaches
 * it after the snapshot instead of being lost.
 */
@ApplicationScoped
class StatusClients {

    private record Client(StatusFeed feed, Runnable stopListening) {
    }

    private final StatusBridge bridge;
    private final RunSnapshots snapshots;
    private final StatusConfig config;
    private final ObjectMapper mapper;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    StatusClients(StatusBridge bridge, RunSnapshots snapshots, StatusConfig config, ObjectMapper mapper,
                  MeterRegistry registry) {
        this.bridge = bridge;
        this.snapshots = snapshots;
        this.config = config;
        this.mapper = mapper;
        Gauge.builder("batchwise.websocket.clients", clients, Map::size)
                .description("WebSocket clients of run status connected to this instance").register(registry);
    }

    /** A client of one run ({@code runId}) or, with null, of every run. */
    void open(WebSocketConnection connection, String runId) {
        StatusFeed feed = new StatusFeed(event -> connection.sendText(json(event)),
                () -> connection.close(new CloseReason(1013, "too far behind; reconnect for a fresh snapshot"))
                        .subscribe().with(ignored -> { }, failure -> { }),
                config.clientPendingRuns());
        Runnable stop = bridge.listen(runId == null ? feed::offer : event -> {
            if (runId.equals(event.runId())) {
                feed.offer(event);
            }
        });
        clients.put(connection.id(), new Client(feed, stop));
        Uni<List<StatusEvent>> snapshot = runId == null ? snapshots.recent().collect().asList()
                : snapshots.current(runId).map(event -> event == null ? List.<StatusEvent>of() : List.of(event));
        Uni<List<StatusEvent>> delivered = config.snapshotDelay().isZero() ? snapshot
                : snapshot.onItem().delayIt().by(config.snapshotDelay());
        delivered.subscribe().with(feed::snapshot, failure -> {
            Log.warnf("status client %s: snapshot failed (%s); closing so that it reconnects", connection.id(),
                    failure.toString());
            connection.close(new CloseReason(1011, "snapshot failed; reconnect")).subscribe().with(i -> { }, f -> { });
        });
    }

    void close(WebSocketConnection connection) {
        Client client = clients.remove(connection.id());
        if (client != null) {
            client.stopListening().run();
            client.feed().closed();
        }
    }

    /** For tests: the feeds of the clients connected now. */
    Multi<StatusFeed> feeds() {
        return Multi.createFrom().iterable(List.copyOf(clients.values())).map(Client::feed);
    }

    private String json(StatusEvent event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status event of run " + event.runId() + " is not JSON", e);
        }
    }
}
