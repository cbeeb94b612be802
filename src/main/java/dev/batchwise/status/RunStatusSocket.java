package dev.batchwise.status;

import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.PathParam;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;

/** {@code /ws/runs/{runId}}: the run's current status first (so a new client is never blank), then its events. */
@WebSocket(path = "/ws/runs/{runId}")
public class RunStatusSocket {

    private final StatusClients clients;

    RunStatusSocket(StatusClients clients) {
        this.clients = clients;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection, @PathParam String runId) {
        clients.open(connection, runId);
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        clients.close(connection);
    }
}
