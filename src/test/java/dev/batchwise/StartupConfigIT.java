package dev.batchwise;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Starts the packaged jar (prod profile, as a cluster would) with bad settings given the way users give
 * them, as environment variables, and checks that start-up stops with a message naming the setting.
 */
class StartupConfigIT {

    private static final String FAKE_KEY = "sk-ant-not-a-real-key";

    @Test
    void negativeThreshold() throws Exception {
        assertStartFails(Map.of("BATCH_THRESHOLD", "-1", "ANTHROPIC_API_KEY", FAKE_KEY),
                "batch.threshold", "greater than or equal to 0");
    }

    @Test
    void zeroPollInterval() throws Exception {
        assertStartFails(Map.of("BATCH_POLL_INTERVAL_MS", "0", "ANTHROPIC_API_KEY", FAKE_KEY),
                "batch.poll-interval-ms", "greater than or equal to 1");
    }

    @Test
    void unknownProvider() throws Exception {
        assertStartFails(Map.of("LLM_PROVIDER", "mystery", "ANTHROPIC_API_KEY", FAKE_KEY), "llm.provider", "mystery");
    }

    @Test
    void maxPerBatchAboveTheProvidersLimit() throws Exception {
        assertStartFails(Map.of("LLM_PROVIDER", "openai", "OPENAI_API_KEY", FAKE_KEY,
                "BATCH_MAX_REQUESTS_PER_BATCH", "60000"), "batch.max-requests-per-batch", "1..50000");
    }

    @Test
    void prodWithoutAKey() throws Exception {
        assertStartFails(Map.of(), "llm.anthropic.api-key", "ANTHROPIC_API_KEY");
    }

    @Test
    void databaseUnreachableIsOneLineNamingIt() throws Exception {
        String output = assertStartFails(Map.of("ANTHROPIC_API_KEY", FAKE_KEY, "DB_PORT", "1"),
                "PostgreSQL is not reachable at 127.0.0.1:1, database 'batchwise'", "pg_ctlcluster");
        assertTrue(!output.contains(FAKE_KEY), "the API key must never be printed");
    }

    private static String assertStartFails(Map<String, String> env, String... expected)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("batchwise-start", ".log");
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-Dquarkus.http.port=0",
                    "-jar", System.getProperty("quarkus.app.jar", "target/quarkus-app/quarkus-run.jar"))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("BATCH_") || name.startsWith("LLM_")
                    || name.startsWith("QUARKUS_") || name.endsWith("_API_KEY") || name.startsWith("DB_"));
            builder.environment().putAll(env);
            Process process = builder.start();
            boolean exited = process.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            String output = Files.readString(log);
            assertTrue(exited, "start-up did not stop within 90 s with " + env + ":\n" + output);
            assertNotEquals(0, process.exitValue(), "start-up should have failed with " + env + ":\n" + output);
            for (String text : expected) {
                assertTrue(output.contains(text), "output should name '" + text + "' for " + env + ":\n" + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
