package dev.batchwise.llm;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A scripted provider for the faults the simulator does not make: answers queued per method and path, served
 * under {@code /fake/} of the test application when {@value #ENABLED} is true (see {@link ProviderFaultsTest}).
 * A stream answer is written chunk by chunk, each chunk on the wire before the next, and may end in a cut
 * connection instead of the body's end. A request with nothing queued is answered 404 and recorded.
 */
@ApplicationScoped
public class FakeProvider {

    public static final String ENABLED = "batchwise.test.fake-provider";

    /** How a streamed answer ends: normally, by closing the connection, by resetting the stream, or not at all. */
    public enum End { NORMAL, CLOSE, RESET, STALL }

    public record Reply(int status, Map<String, String> headers, List<String> chunks, End end) {

        public static Reply json(int status, String body) {
            return new Reply(status, Map.of("content-type", "application/json"), List.of(body), End.NORMAL);
        }

        /** A 200 whose body is these chunks, sent one by one (chunked transfer encoding), then {@code end}. */
        public static Reply stream(End end, String... chunks) {
            return new Reply(200, Map.of("content-type", "application/x-jsonl"), List.of(chunks), end);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, Map.copyOf(more), chunks, end);
        }
    }

    private final Map<String, Deque<Reply>> script = new HashMap<>();
    private final List<String> requests = new ArrayList<>();

    void routes(@Observes Router router) {
        if (ConfigProvider.getConfig().getOptionalValue(ENABLED, Boolean.class).orElse(false)) {
            router.route("/fake/*").order(-100).handler(BodyHandler.create(false)).handler(this::handle);
        }
    }

    /** Queues answers for {@code METHOD path} (no query), e.g. {@code GET /fake/anthropic/v1/messages/batches}. */
    public synchronized FakeProvider on(String method, String path, Reply... replies) {
        script.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).addAll(List.of(replies));
        return this;
    }

    /** Every request so far as {@code METHOD uri} (path and query), in order. */
    public synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    public synchronized void reset() {
        script.clear();
        requests.clear();
    }

    private synchronized Reply next(HttpServerRequest request) {
        requests.add(request.method().name() + " " + request.uri());
        Deque<Reply> queued = script.get(request.method().name() + " " + request.path());
        return queued == null || queued.isEmpty()
                ? Reply.json(404, "{\"error\":{\"type\":\"not_found_error\",\"message\":\"nothing scripted\"}}")
                : queued.poll();
    }

    private void handle(RoutingContext ctx) {
        // BodyHandler has read the whole request body (uploads, creates), as a server answers after reading it
        reply(ctx.request(), ctx.response(), next(ctx.request()));
    }

    private static void reply(HttpServerRequest request, HttpServerResponse response, Reply reply) {
        response.setStatusCode(reply.status());
        reply.headers().forEach(response::putHeader);
        if (reply.end() == End.NORMAL && reply.chunks().size() == 1) {
            response.end(reply.chunks().get(0));
            return;
        }
        response.setChunked(true);
        Future<Void> written = Future.succeededFuture();
        for (String chunk : reply.chunks()) {
            written = written.compose(v -> response.write(chunk));
        }
        written.onComplete(done -> {
            switch (reply.end()) {
                case NORMAL -> response.end();
                case CLOSE -> request.connection().close();
                case RESET -> response.reset();
                case STALL -> {
                    // neither more data nor an end: the client has to give up by itself
                }
            }
        });
    }
}
