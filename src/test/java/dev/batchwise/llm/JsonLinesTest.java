package dev.batchwise.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Line splitting of streamed bodies, and what a broken line still tells; no application needed. */
class JsonLinesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void linesCutBetweenChunksComeOutWholeMultiByteCharactersToo() {
        byte[] body = "{\"a\":\"é漢\"}\n\n{\"b\":2}\n{\"c\":3}".getBytes(StandardCharsets.UTF_8);
        // cut inside the two-byte é and the three-byte 漢
        Multi<byte[]> chunks = Multi.createFrom().items(Arrays.copyOfRange(body, 0, 8), Arrays.copyOfRange(body, 8, 10),
                Arrays.copyOfRange(body, 10, body.length));

        List<String> lines = JsonLines.lines(chunks).collect().asList().await().atMost(WAIT);

        assertEquals(List.of("{\"a\":\"é漢\"}", "{\"b\":2}", "{\"c\":3}"), lines, "the unterminated last line at a normal end");
    }

    @Test
    void aBodyThatFailsEndsWithItsFailureAfterTheCompleteLinesOnly() {
        IOException cut = new IOException("Connection was closed");
        Multi<byte[]> chunks = Multi.createBy().concatenating().streams(
                Multi.createFrom().items(bytes("{\"custom_id\":\"x-1\"}\n{\"custom_id\":\"x-2\"}\n{\"custom_id\":\"x-")),
                Multi.createFrom().failure(cut));
        List<String> lines = new CopyOnWriteArrayList<>();

        Throwable failure = JsonLines.lines(chunks).invoke(lines::add).collect().asList()
                .onItemOrFailure().transform((ok, f) -> f).await().atMost(WAIT);

        assertSame(cut, failure);
        assertEquals(List.of("{\"custom_id\":\"x-1\"}", "{\"custom_id\":\"x-2\"}"), lines);
    }

    @Test
    void theCustomIdOfABrokenLineIsFoundWhereTheProviderPutsIt() {
        assertEquals(Optional.of("doc-7"), JsonLines.customIdIn("{\"custom_id\" : \"doc-7\",\"result\":{\"type\":\"succ"));
        assertEquals(Optional.of("req-1"), JsonLines.customIdIn("{\"id\":\"batch_req_1\",\"custom_id\":\"req-1\",\"resp"));
        assertEquals(Optional.empty(), JsonLines.customIdIn("<html>502 Bad Gateway</html>"));
        assertEquals(Optional.empty(), JsonLines.customIdIn("{\"custom_id\":\"\",\"result\":null}"));
        // one quoted inside an answer's text is escaped, so not taken for the line's own
        assertEquals(Optional.empty(), JsonLines.customIdIn("{\"result\":{\"text\":\"say \\\"custom_id\\\": \\\"evil\\\"\"}"));
    }

    @Test
    void reasonsTellNotJsonFromTheWrongShape() {
        ObjectMapper mapper = new ObjectMapper();
        record Line(String custom_id, List<Integer> counts) {
        }
        JsonProcessingException notJson = assertThrowsJson(() -> mapper.readValue("{\"custom_id\":", Line.class));
        JsonProcessingException wrongShape = assertThrowsJson(() -> mapper.readValue(
                "{\"custom_id\":\"a\",\"counts\":[1,{}]}", Line.class));

        assertTrue(JsonLines.reason(notJson).startsWith("not JSON ("), JsonLines.reason(notJson));
        assertEquals("not the expected shape at counts[1]", JsonLines.reason(wrongShape));
    }

    private interface JsonCall {
        void run() throws JsonProcessingException;
    }

    private static JsonProcessingException assertThrowsJson(JsonCall call) {
        try {
            call.run();
        } catch (JsonProcessingException e) {
            return e;
        }
        throw new AssertionError("expected a JsonProcessingException");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
