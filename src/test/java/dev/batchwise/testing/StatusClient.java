package dev.batchwise.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A browser's view of the status WebSocket, with the JDK's client: it reads one message at a time, and a client
 * made with {@code reading = false} reads nothing until {@link #resume()} (the JDK client asks the socket for
 * messages only when told to, so the server's writes to it back up as they would for a stalled browser tab).
 */
public final class StatusClient implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A message as it arrived. */
    public record Received(JsonNode event, Instant at) {

        public String status() {
            return event.get("status").asText();
        }

        public long seq() {
            return event.get("seq").asLong();
        }

        public String runId() {
            return event.get("runId").asText();
        }
    }

    private final List<Received> messages = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean reading;
    private WebSocket socket;

    private StatusClient(boolean reading) {
        this.reading = reading;
    }

    /** Connects to {@code uri} (ws://host:port/ws/runs...). */
    public static StatusClient connect(URI uri, boolean reading) {
        StatusClient client = new StatusClient(reading);
        try {
            client.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, client).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to " + uri + ": " + e, e);
        }
        return client;
    }

    public static URI uri(URI httpRoot, String path) {
        return URI.create(httpRoot.toString().replaceFirst("^http", "ws").replaceAll("/$", "") + path);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(new Received(JSON.readTree(partial.toString()), Instant.now()));
            } catch (Exception e) {
                throw new IllegalStateException("not JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        if (reading || !last) {
            webSocket.request(1);
        }
        return null;
    }

    /** Starts reading (again): everything the server kept for this client comes in. */
    public void resume() {
        reading = true;
        socket.request(1);
    }

    public List<Received> messages() {
        return List.copyOf(messages);
    }

    public List<Received> of(String runId) {
        return messages.stream().filter(m -> m.runId().equals(runId)).toList();
    }

    /** The latest message about the run has this status. */
    public boolean lastIs(String runId, String status) {
        List<Received> run = of(runId);
        return !run.isEmpty() && run.get(run.size() - 1).status().equals(status);
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(10, TimeUnit.SECONDS)
                .exceptionally(failure -> null).join();
        socket.abort();
    }
}
