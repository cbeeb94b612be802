package dev.batchwise.llm;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a streamed body into lines as the chunks arrive, so a JSONL file of any size is read with memory for
 * one chunk and one line. Works on bytes, so a multi-byte character cut between two chunks stays whole.
 */
public final class JsonLines {

    /** A custom id as both providers write it; found in a line that does not parse as a whole any more. */
    private static final Pattern CUSTOM_ID = Pattern.compile("\"custom_id\"\\s*:\\s*\"([^\"]*)\"");
    private static final int MAX_REASON = 200;

    private JsonLines() {
    }

    /**
     * Non-blank lines of the body, in order. A body that fails (a download cut mid-way) fails the stream after
     * its complete lines: the unfinished last one is emitted only when the body ends normally.
     */
    public static Multi<String> lines(Multi<byte[]> body) {
        return Multi.createFrom().deferred(() -> {
            Splitter splitter = new Splitter();
            return body.onItem().transformToIterable(chunk -> splitter.feed(chunk))
                    .onCompletion().switchTo(() -> Multi.createFrom().iterable(splitter.rest()));
        });
    }

    /**
     * The body, failed with a retryable {@link LlmException.Timeout} when no chunk arrives for {@code idle}
     * (the wait restarts with every chunk): a download that stalls ends instead of hanging, and so does one
     * whose cut the HTTP client missed (a connection closed right after the response headers can go unseen).
     */
    public static Multi<byte[]> failIfStalled(Multi<byte[]> body, Duration idle, String what) {
        return body.ifNoItem().after(idle).failWith(() -> new LlmException.Timeout(what + ": no data for "
                + idle.toMillis() + " ms"));
    }

    /** Why Jackson could not read a line, without its internals: not JSON, or JSON of another shape. */
    public static String reason(JsonProcessingException e) {
        return e instanceof JsonParseException
                ? "not JSON (" + e.getOriginalMessage() + ")"
                : "not the expected shape" + (e instanceof JsonMappingException m
                        && !m.getPath().isEmpty() ? " at " + path(m) : "");
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            path.append(ref.getFieldName() != null ? (path.isEmpty() ? "" : ".") + ref.getFieldName()
                    : "[" + ref.getIndex() + "]");
        }
        return path.toString();
    }

    /** The first custom id that a (possibly broken) line shows, if any. */
    public static Optional<String> customIdIn(String line) {
        Matcher m = CUSTOM_ID.matcher(line);
        return m.find() && !m.group(1).isEmpty() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * A results line that could not be read: a {@link LlmErrorType#MALFORMED_RESULT} failure under the custom id
     * it still shows, or nothing (logged) when it shows none; the caller then treats that request as missing.
     * Never the line itself in a message or log: it carries prompts and answers.
     */
    public static List<LlmResult> malformed(String provider, String batchId, String line, String reason) {
        String why = reason == null ? "unreadable"
                : reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "..." : reason;
        Optional<String> customId = customIdIn(line);
        if (customId.isEmpty()) {
            Log.warnf("%s batch %s: skipped a malformed results line without a custom_id (%d chars): %s", provider,
                    batchId, line.length(), why);
            return List.of();
        }
        Log.warnf("%s batch %s: the results line of custom_id %s is malformed: %s", provider, batchId,
                customId.get(), why);
        return List.of(LlmResult.failed(customId.get(), LlmErrorType.MALFORMED_RESULT,
                provider + " sent a malformed results line: " + why));
    }

    private static final class Splitter {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        List<String> feed(byte[] chunk) {
            List<String> lines = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] == '\n') {
                    partial.write(chunk, start, i - start);
                    add(lines);
                    start = i + 1;
                }
            }
            partial.write(chunk, start, chunk.length - start);
            return lines;
        }

        List<String> rest() {
            List<String> lines = new ArrayList<>(1);
            add(lines);
            return lines;
        }

        private void add(List<String> lines) {
            String line = partial.toString(StandardCharsets.UTF_8).strip();
            partial.reset();
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
    }
}
