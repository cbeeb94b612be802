package dev.batchwise.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * An Anthropic batch body {@code {"requests":[...]}} of n quality-scoring requests (custom ids {@code req-0..}),
 * generated while it is sent, never held whole: large-batch tests must not need the heap they prove unneeded.
 */
public final class GeneratedBatchBody extends InputStream {

    private final int count;
    private int next;
    private byte[] chunk = "{\"requests\":[".getBytes(StandardCharsets.UTF_8);
    private int position;

    public GeneratedBatchBody(int count) {
        this.count = count;
    }

    @Override
    public int read() {
        if (position == chunk.length && !advance()) {
            return -1;
        }
        return chunk[position++] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (position == chunk.length && !advance()) {
            return -1;
        }
        int n = Math.min(length, chunk.length - position);
        System.arraycopy(chunk, position, buffer, offset, n);
        position += n;
        return n;
    }

    private boolean advance() {
        if (next > count) {
            return false;
        }
        String text = next == count ? "]}" : (next == 0 ? "" : ",")
                + "{\"custom_id\":\"req-" + next + "\",\"params\":{\"model\":\"claude-haiku-5-5\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Give the quality score of atom " + next
                + ": a user can export the report as CSV.\"}]}}";
        next++;
        chunk = text.getBytes(StandardCharsets.UTF_8);
        position = 0;
        return true;
    }
}
