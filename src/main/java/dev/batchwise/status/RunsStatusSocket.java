package dev.batchwise.status;

import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * {@code /ws/runs}: every run. First the current status of the runs under way and of those ended in the last hour,
 * then every run's events.
 */
@WebSocket(path = "/ws/runs")
public class RunsStatusSocket {

    private final StatusClients clients;

    RunsStatusSocket(StatusClients clients) {
        this.clients = clients;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        clients.open(connection, null);
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        clients.close(connection);
    }
}
