package dev.batchwise.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.batchwise.testing.LocalKafkaResource.ScriptResult;

/**
 * Checks bin/local-kafka itself, with a real broker: start is idempotent, clients can use the
 * broker, stop leaves no process behind, and --exit-with-pid ties the broker to its owner.
 */
class LocalKafkaScriptTest {

    private static final Duration PROCESS_EXIT_DEADLINE = Duration.ofSeconds(40);

    private final Path baseDir = Path.of(System.getProperty("user.dir"));

    @TempDir
    Path dir;

    @AfterEach
    void stopWhateverIsLeft() {
        // After a failed assertion the broker may still run; stopping a stopped one is a no-op.
        script("stop", "--dir", dir.toString());
    }

    @Test
    void startIsIdempotentTheBrokerServesClientsAndStopLeavesNothingRunning() throws Exception {
        int[] ports = LocalKafkaResource.freePorts(2);
        String[] start = {"start", "--port", String.valueOf(ports[0]),
                "--controller-port", String.valueOf(ports[1]), "--dir", dir.toString()};

        ScriptResult first = script(start);
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.output().contains("broker ready on 127.0.0.1:" + ports[0]), first.output());
        long pid = brokerPid();

        ScriptResult second = script(start);
        assertEquals(0, second.exitCode(), second.output());
        assertTrue(second.output().contains("already running (pid " + pid + ") on 127.0.0.1:" + ports[0]),
                second.output());
        assertEquals(pid, brokerPid());

        ScriptResult running = script("status", "--dir", dir.toString());
        assertEquals(0, running.exitCode(), running.output());

        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + ports[0],
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            admin.createTopics(List.of(new NewTopic("local-kafka-check", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertTrue(topics.contains("local-kafka-check"), topics.toString());
        }

        ScriptResult stop = script("stop", "--dir", dir.toString());
        assertEquals(0, stop.exitCode(), stop.output());
        assertTrue(stop.output().contains("stopped broker pid " + pid), stop.output());

        await().atMost(PROCESS_EXIT_DEADLINE).until(() -> !isAlive(pid));
        ScriptResult stopped = script("status", "--dir", dir.toString());
        assertEquals(3, stopped.exitCode(), stopped.output());
        assertTrue(Files.notExists(dir.resolve("broker.pid")));
    }

    @Test
    void brokerStopsByItselfWhenTheProcessItWasTiedToEnds() throws Exception {
        Process owner = new ProcessBuilder("sleep", "300").start();
        try {
            int[] ports = LocalKafkaResource.freePorts(2);
            ScriptResult start = script("start", "--port", String.valueOf(ports[0]),
                    "--controller-port", String.valueOf(ports[1]), "--dir", dir.toString(),
                    "--exit-with-pid", String.valueOf(owner.pid()));
            assertEquals(0, start.exitCode(), start.output());
            long pid = brokerPid();

            owner.destroyForcibly();

            await().atMost(PROCESS_EXIT_DEADLINE).until(() -> !isAlive(pid));
            assertEquals(3, script("status", "--dir", dir.toString()).exitCode());
        } finally {
            owner.destroyForcibly();
        }
    }

    private ScriptResult script(String... args) {
        return LocalKafkaResource.runScript(baseDir, args);
    }

    private long brokerPid() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("broker.pid")).trim());
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
