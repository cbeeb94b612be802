package dev.batchwise.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts database round trips by watching the PostgreSQL wire protocol: a TCP relay between the service's
 * reactive pool and PostgreSQL that forwards every byte unchanged and records each exchange the client waits for
 * (a simple query, or the extended-protocol messages up to a Sync), with its SQL, the server's command tags
 * ({@code UPDATE 500}) and the transaction it belongs to (from ReadyForQuery's status byte). A round trip is what
 * the server answers with ReadyForQuery, so prepares, BEGIN and COMMIT count too, which the Vert.x client metrics
 * do not see. Only the reactive pool goes through it; Flyway's JDBC connection stays direct.
 *
 * <pre>new TestResourceEntry(PgWireRecorder.class)</pre> in a test profile's {@code testResources()}.
 */
public class PgWireRecorder implements QuarkusTestResourceLifecycleManager {

    /** One exchange: what the client waited for, and how long from its last message to ReadyForQuery. */
    public record RoundTrip(Kind kind, String sql, List<String> tags, boolean failed, long sentNanos, long nanos) {
    }

    public enum Kind {
        /** A simple-protocol query (BEGIN, COMMIT, unprepared SQL). */
        SIMPLE,
        /** Parse and Describe of a statement not yet prepared on this connection. */
        PREPARE,
        /** Bind and Execute of a prepared statement. */
        EXECUTE,
        /** A Sync alone, or anything else. */
        OTHER
    }

    /** A transaction (or a statement outside one) on one connection, in the order its end was seen. */
    public record Unit(int connection, List<RoundTrip> roundTrips) {

        /** From the first message sent to the last answer: how long the unit held its connection. */
        public long nanos() {
            RoundTrip last = roundTrips.get(roundTrips.size() - 1);
            return last.sentNanos() + last.nanos() - roundTrips.get(0).sentNanos();
        }

        public boolean anyMatches(String sqlPart) {
            return roundTrips.stream().anyMatch(r -> r.sql() != null && r.sql().contains(sqlPart));
        }
    }

    // One relay per JVM, found by the test through this class; the resource and the test share its class loader.
    private static volatile PgWireRecorder current;

    private final List<Unit> units = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private ServerSocket server;

    public static PgWireRecorder current() {
        if (current == null) {
            throw new IllegalStateException("no PgWireRecorder running: add it to the test profile's testResources()");
        }
        return current;
    }

    @Override
    public Map<String, String> start() {
        String host = System.getenv().getOrDefault("DB_HOST", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("DB_PORT", "5432"));
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(() -> accept(host, port), "pg-wire-recorder");
        acceptor.setDaemon(true);
        acceptor.start();
        current = this;
        return Map.of("quarkus.datasource.reactive.url",
                "postgresql://127.0.0.1:" + server.getLocalPort() + "/${batchwise.db.name}");
    }

    @Override
    public void stop() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** A position in the log of units: {@link #since(int)} returns what was recorded after it. */
    public synchronized int mark() {
        return units.size();
    }

    public synchronized List<Unit> since(int mark) {
        return List.copyOf(units.subList(mark, units.size()));
    }

    private synchronized void record(Unit unit) {
        units.add(unit);
    }

    private void accept(String host, int port) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(host, port);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                Connection connection = new Connection(connections.incrementAndGet());
                start("pg-wire-c2s-" + connection.id, () -> relay(client, upstream, connection::fromClient));
                start("pg-wire-s2c-" + connection.id, () -> relay(upstream, client, connection::fromServer));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("pg wire recorder: " + e);
                }
            }
        }
    }

    private static void start(String name, Runnable work) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
    }

    private interface Sink {
        void accept(byte[] bytes, int length);
    }

    /** Reads, lets the parser see the bytes, then forwards them: an exchange is known before the server has it. */
    private static void relay(Socket from, Socket to, Sink parser) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                parser.accept(buffer, n);
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // the other side closed
        } finally {
            close(from);
            close(to);
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    /** The state of one client connection: the exchanges sent and not yet answered, and the open transaction. */
    private final class Connection {

        private final int id;
        private final MessageStream server = new MessageStream(false, "CEZ", this::serverMessage);
        private final MessageStream client = new MessageStream(true, "QPBS", this::clientMessage);
        private final ConcurrentLinkedQueue<Pending> sent = new ConcurrentLinkedQueue<>();
        // c2s thread only
        private final Map<String, String> statements = new HashMap<>();
        private Pending building;
        // s2c thread only
        private List<RoundTrip> transaction;

        Connection(int id) {
            this.id = id;
            client.answers = server;
        }

        void fromClient(byte[] bytes, int length) {
            client.feed(bytes, length);
        }

        void fromServer(byte[] bytes, int length) {
            server.feed(bytes, length);
        }

        private void clientMessage(char type, byte[] body) {
            switch (type) {
                case 'Q' -> {
                    Pending query = new Pending(Kind.SIMPLE, cstring(body, 0));
                    query.sentNanos = System.nanoTime();
                    sent.add(query);
                }
                case 'P' -> {
                    String name = cstring(body, 0);
                    String sql = cstring(body, name.getBytes(StandardCharsets.UTF_8).length + 1);
                    statements.put(name, sql);
                    building().parse = sql;
                }
                case 'B' -> {
                    String portal = cstring(body, 0);
                    String statement = cstring(body, portal.getBytes(StandardCharsets.UTF_8).length + 1);
                    building().bind = statements.get(statement);
                }
                case 'S' -> {
                    Pending exchange = building();
                    building = null;
                    exchange.kind = exchange.bind != null ? Kind.EXECUTE
                            : exchange.parse != null ? Kind.PREPARE : Kind.OTHER;
                    exchange.sentNanos = System.nanoTime();
                    sent.add(exchange);
                }
                default -> {
                    // Describe, Execute, Close, Flush: part of the exchange up to the next Sync
                }
            }
        }

        private Pending building() {
            if (building == null) {
                building = new Pending(Kind.OTHER, null);
            }
            return building;
        }

        private void serverMessage(char type, byte[] body) {
            Pending head = sent.peek();
            switch (type) {
                case 'C' -> {
                    if (head != null) {
                        head.tags.add(cstring(body, 0));
                    }
                }
                case 'E' -> {
                    if (head != null) {
                        head.failed = true;
                    }
                }
                case 'Z' -> {
                    if (head == null) {
                        return; // the end of the start-up exchange
                    }
                    sent.poll();
                    RoundTrip done = new RoundTrip(head.kind, head.kind == Kind.EXECUTE ? head.bind
                            : head.kind == Kind.PREPARE ? head.parse : head.simple, List.copyOf(head.tags), head.failed,
                            head.sentNanos, System.nanoTime() - head.sentNanos);
                    boolean inTransaction = body.length > 0 && body[0] != 'I';
                    if (transaction == null) {
                        transaction = new ArrayList<>();
                    }
                    transaction.add(done);
                    if (!inTransaction) {
                        record(new Unit(id, List.copyOf(transaction)));
                        transaction = null;
                    }
                }
                default -> {
                    // rows, descriptions, notices: part of the answer
                }
            }
        }
    }

    private static final class Pending {
        Kind kind;
        final String simple;
        String parse;
        String bind;
        final List<String> tags = new ArrayList<>(1);
        boolean failed;
        long sentNanos;

        Pending(Kind kind, String simple) {
            this.kind = kind;
            this.simple = simple;
        }
    }

    private interface MessageHandler {
        void message(char type, byte[] body);
    }

    /**
     * Splits a byte stream into protocol messages: a type byte and a length, except the client's untyped start-up
     * messages (an SSLRequest answered by one byte, then the StartupMessage). Keeps only the head of large bodies
     * (Bind parameters, data rows): the statement names and SQL are at the front.
     */
    private static final class MessageStream {
        private static final int KEEP = 16 * 1024;
        private static final int SSL_REQUEST = 80877103;
        private static final byte[] NOTHING = new byte[0];

        private final MessageHandler handler;
        private final String kept;
        private boolean untyped;
        /** Bytes to pass over unparsed: the server's one-byte answer to an SSLRequest. */
        private final AtomicInteger skip = new AtomicInteger();
        private MessageStream answers;
        private final byte[] header = new byte[5];
        private int headerRead;
        private int remaining = -1;
        private byte[] body;
        private int bodyRead;
        private char type;

        MessageStream(boolean client, String kept, MessageHandler handler) {
            this.untyped = client;
            this.kept = kept;
            this.handler = handler;
        }

        void feed(byte[] bytes, int length) {
            int i = 0;
            while (i < length) {
                if (remaining < 0 && headerRead == 0 && skip.get() > 0) {
                    skip.decrementAndGet();
                    i++;
                    continue;
                }
                if (remaining < 0) {
                    int headerSize = untyped ? 4 : 5;
                    int take = Math.min(headerSize - headerRead, length - i);
                    System.arraycopy(bytes, i, header, headerRead, take);
                    headerRead += take;
                    i += take;
                    if (headerRead < headerSize) {
                        return;
                    }
                    int offset = untyped ? 0 : 1;
                    type = untyped ? '\0' : (char) header[0];
                    remaining = int32(header, offset) - 4;
                    body = untyped || kept.indexOf(type) >= 0 ? new byte[Math.min(remaining, KEEP)] : NOTHING;
                    bodyRead = 0;
                    headerRead = 0;
                }
                int take = Math.min(remaining, length - i);
                int keep = Math.min(take, body.length - bodyRead);
                if (keep > 0) {
                    System.arraycopy(bytes, i, body, bodyRead, keep);
                    bodyRead += keep;
                }
                remaining -= take;
                i += take;
                // a message without a body (Sync) is complete with its header, even at the end of a read
                if (remaining == 0) {
                    remaining = -1;
                    complete();
                }
            }
        }

        private void complete() {
            if (!untyped) {
                handler.message(type, body);
                return;
            }
            // after an SSLRequest the StartupMessage follows, untyped too (TLS itself is not expected here)
            untyped = body.length >= 4 && int32(body, 0) == SSL_REQUEST;
            if (untyped && answers != null) {
                answers.skip.incrementAndGet();
            }
        }
    }

    private static int int32(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }

    private static String cstring(byte[] body, int from) {
        int end = from;
        while (end < body.length && body[end] != 0) {
            end++;
        }
        return new String(body, from, Math.max(0, end - from), StandardCharsets.UTF_8);
    }
}
