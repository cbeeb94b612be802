package dev.batchwise.simulator;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes results lines (Anthropic results, OpenAI output and error files) as JSONL, spoiled as the knobs say:
 * a share of lines broken off after their custom_id ({@code malformedLineRate}), and a download cut after K
 * lines ({@code resultsCutAfterLines}): K whole lines, then {@link Cut} with part of the next, which
 * {@link #download} sends before it aborts the connection.
 */
final class ResultLines implements AutoCloseable {

    /** The HTTP/2 error code of the stream reset that cuts a download. */
    private static final long INTERNAL_ERROR = 0x2;

    /** Thrown at the cut: the whole lines before it are flushed, {@link #partial} is for the resource to send. */
    static final class Cut extends IOException {
        final byte[] partial;

        Cut(int lines, byte[] partial) {
            super("results download cut after " + lines + " lines (simulated)", null);
            this.partial = partial;
        }
    }

    /** Writes a download's bytes. */
    interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * A streamed download whose cut aborts the connection. The part line is written straight to the Vert.x
     * response and awaited, so it is on the wire before the abort. Then, on HTTP/1.1, the connection is closed
     * and the close awaited: the chunked body never gets its last chunk, and Quarkus REST, which ends the
     * response after an error, finds the connection gone (a graceful {@code reset()} would leave a window in
     * which that last chunk still goes out, and the client would take the cut body for a whole one). On
     * HTTP/2 the stream is reset. Either way the client reads an error, never a clean end of the body: OkHttp an
     * {@code EOFException} (the Anthropic SDK wraps it in {@code AnthropicIoException: Stream failed}),
     * java.net.http {@code IOException: chunked transfer encoding, state: READING_LENGTH} (HTTP/2: "Received
     * RST_STREAM").
     */
    static StreamingOutput download(HttpServerRequest request, Body body) {
        return out -> {
            try {
                body.write(out);
            } catch (Cut cut) {
                out.flush();
                HttpServerResponse response = request.response();
                await(response.write(Buffer.buffer(cut.partial)));
                if (request.version() == HttpVersion.HTTP_2) {
                    response.reset(INTERNAL_ERROR); // not reset()'s NO_ERROR: this is an abort
                } else {
                    await(request.connection().close());
                }
                throw cut; // so that nothing more is written
            }
        };
    }

    private static void await(Future<Void> done) {
        try {
            done.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the client has gone already, or is not reading: abort all the same
        }
    }

    private final OutputStream out;
    private final int cutAfterLines;
    private final long seed;
    private final double malformedRate;
    private int written;

    /**
     * @param cutAfterLines 0 for a whole download
     * @param seed and {@code malformedRate} decide, per custom_id, which lines are broken
     */
    ResultLines(OutputStream target, int cutAfterLines, long seed, double malformedRate) {
        this.out = new BufferedOutputStream(target, 64 * 1024);
        this.cutAfterLines = cutAfterLines;
        this.seed = seed;
        this.malformedRate = malformedRate;
    }

    /** Writes one line (without its newline in {@code json}) for {@code customId}. */
    void line(byte[] json, String customId) throws IOException {
        byte[] bytes = malformed(seed, customId, malformedRate) ? brokenAfterCustomId(json, customId) : json;
        if (cutAfterLines > 0 && written == cutAfterLines) {
            out.flush();
            throw new Cut(written, Arrays.copyOf(bytes, charBoundary(bytes, bytes.length / 2)));
        }
        out.write(bytes);
        out.write('\n');
        written++;
        if (written % 1000 == 0) {
            out.flush(); // stream large results rather than buffer them
        }
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }

    /** Whether the line of {@code customId} is written broken: a pure function of seed and custom_id. */
    static boolean malformed(long seed, String customId, double rate) {
        return rate > 0 && SimulatedModel.unit(SimulatedModel.promptHash(seed, "malformed-line", customId, ""), 50)
                < rate;
    }

    /**
     * The line as it starts, cut half-way through what follows its custom_id, so a client can still tell which
     * item it belonged to, e.g. <code>{"custom_id":"abc","result":{"type":"succ</code>.
     */
    static byte[] brokenAfterCustomId(byte[] json, String customId) {
        byte[] needle = ("\"custom_id\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(customId))
                + "\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(json, needle);
        int end = at < 0 ? 0 : at + needle.length;
        return Arrays.copyOf(json, charBoundary(json, end + (json.length - end) / 2));
    }

    /** {@code at}, moved back so that a UTF-8 sequence is not split. */
    private static int charBoundary(byte[] bytes, int at) {
        while (at > 0 && at < bytes.length && (bytes[at] & 0xC0) == 0x80) {
            at--;
        }
        return at;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
