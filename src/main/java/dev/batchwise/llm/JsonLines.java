package dev.batchwise.llm;

import io.smallrye.mutiny.Multi;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a streamed body into lines as the chunks arrive, so a JSONL file of any size is read with memory for
 * one chunk and one line. Works on bytes, so a multi-byte character cut between two chunks stays whole.
 */
public final class JsonLines {

    private JsonLines() {
    }

    /** Non-blank lines of the body, in order. */
    public static Multi<String> lines(Multi<byte[]> body) {
        return Multi.createFrom().deferred(() -> {
            Splitter splitter = new Splitter();
            return body.onItem().transformToIterable(chunk -> splitter.feed(chunk))
                    .onCompletion().switchTo(() -> Multi.createFrom().iterable(splitter.rest()));
        });
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
