package dev.batchwise.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A finished batch's output and error files, generated as a stream from its state whenever they are read
 * (never held as one string): the same batch always yields the same bytes, so the size shown in the file
 * object is measured once by generating into a counter. Lines come in an order that is not the file order
 * (the real API guarantees none; clients must match by custom_id).
 */
final class OpenAiBatchFiles {

    /** UNCONFIRMED: how long output files live without output_expires_after; the same as batch input files. */
    static final long DEFAULT_OUTPUT_TTL_SECONDS = 30L * 24 * 3600;

    private final ObjectWriter writer;

    OpenAiBatchFiles(ObjectMapper mapper) {
        this.writer = mapper.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
    }

    /** The file object of the output ({@code output == true}) or error file of an ended batch. */
    OpenAiWire.FileObject fileObject(OpenAiBatch batch, OpenAiBatch.View view, boolean output) throws IOException {
        long bytes = batch.cachedBytes(output);
        if (bytes < 0) {
            Counter counter = new Counter();
            write(batch, view, output, counter, 0);
            bytes = counter.count;
            batch.cacheBytes(output, bytes);
        }
        long created = view.endedAt() / 1000;
        return new OpenAiWire.FileObject(output ? batch.outputFileId : batch.errorFileId, "file", bytes, created,
                created + batch.outputExpiresAfterSeconds,
                batch.id + (output ? "_output.jsonl" : "_error.jsonl"), "batch_output", "processed");
    }

    /**
     * Writes the JSONL lines of the output or error file; {@code view} must be the batch's final one. The lines
     * of the file are permuted among themselves, so that any file of two or more lines is out of file order.
     * A share of lines is broken ({@code malformedLineRate} at creation, so the file has the same bytes every
     * time); with {@code cutAfterLines > 0} the writing stops after that many lines with {@link ResultLines.Cut}.
     */
    void write(OpenAiBatch batch, OpenAiBatch.View view, boolean output, OutputStream target, int cutAfterLines)
            throws IOException {
        int n = batch.items.length;
        int processed = view.processed();
        boolean cancelled = view.status() == OpenAiBatch.Status.CANCELLED;
        long seed = SimulatedModel.promptHash(0, batch.id, "", "");
        int[] inFile = new int[n];
        int m = 0;
        for (int index = 0; index < n; index++) {
            boolean succeeded = index < processed && batch.items[index].succeeds();
            if (succeeded == output) {
                inFile[m++] = index;
            }
        }
        int step = ResultOrder.step(Math.max(1, m));
        try (ResultLines lines = new ResultLines(target, cutAfterLines, batch.settings.seed(),
                batch.settings.malformedLineRate())) {
            for (int j = 0; j < m; j++) {
                int index = inFile[ResultOrder.index(j, m, step)];
                lines.line(writer.writeValueAsBytes(line(batch, index, processed, cancelled, seed)),
                        batch.items[index].customId());
            }
        }
    }

    private static OpenAiWire.OutputLine line(OpenAiBatch batch, int index, int processed, boolean cancelled,
                                              long seed) {
        OpenAiBatch.Item item = batch.items[index];
        String id = "batch_req_" + derived(seed, index, 1);
        if (index >= processed) {
            // not run: a non-HTTP failure, response null (UNCONFIRMED: the real messages)
            OpenAiWire.LineError error = cancelled
                    ? new OpenAiWire.LineError("batch_cancelled", "This request was not executed because the batch"
                            + " was cancelled before it ran.")
                    : new OpenAiWire.LineError("batch_expired", "This request could not be executed before the"
                            + " completion window expired.");
            return new OpenAiWire.OutputLine(id, item.customId(), null, error);
        }
        String requestId = "req_" + derived(seed, index, 2);
        if (item.invalid() != null) {
            // what the endpoint would have answered: an HTTP-level failure with the top-level error null
            return new OpenAiWire.OutputLine(id, item.customId(), new OpenAiWire.LineResponse(400, requestId,
                    new OpenAiWire.ErrorBody(item.invalid())), null);
        }
        if (item.injectedError()) {
            OpenAiWire.ErrorObject error = new OpenAiWire.ErrorObject("The server had an error while processing"
                    + " your request. Sorry about that! (simulated)", "server_error", null, null);
            return new OpenAiWire.OutputLine(id, item.customId(), new OpenAiWire.LineResponse(500, requestId,
                    new OpenAiWire.ErrorBody(error)), null);
        }
        SimulatedModel.Answer answer = SimulatedModel.answer(item.hash(), item.kind(), item.maxTokens(),
                batch.settings);
        OpenAiWire.ChatCompletion completion = OpenAiWire.ChatCompletion.of("chatcmpl-" + derived(seed, index, 3),
                batch.processedTime(index) / 1000, item.model(), answer, item.promptTokens(), item.cachedTokens());
        return new OpenAiWire.OutputLine(id, item.customId(), new OpenAiWire.LineResponse(200, requestId,
                completion), null);
    }

    /** A stable id part for line {@code index} of a batch, so regenerating the file gives the same bytes. */
    private static String derived(long seed, int index, int purpose) {
        long mixed = seed + 0x9E3779B97F4A7C15L * (index * 4L + purpose);
        mixed = (mixed ^ (mixed >>> 30)) * 0xbf58476d1ce4e5b9L;
        mixed = (mixed ^ (mixed >>> 27)) * 0x94d049bb133111ebL;
        mixed ^= mixed >>> 31;
        String hex = Long.toHexString(mixed);
        return "0".repeat(16 - hex.length()) + hex;
    }


    /** Counts what is written and keeps nothing. */
    private static final class Counter extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
