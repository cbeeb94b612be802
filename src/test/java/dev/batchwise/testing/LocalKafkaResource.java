package dev.batchwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real Kafka broker for {@code @QuarkusTest}s, started with the same {@code bin/local-kafka}
 * script that developers use, on free ports and in a fresh temporary directory:
 *
 * <pre>@QuarkusTestResource(LocalKafkaResource.class)</pre>
 *
 * One broker serves the whole test JVM. It is stopped by a JVM shutdown hook, and if the JVM
 * dies without running its hooks, the broker notices ({@code --exit-with-pid}) and stops itself.
 */
public class LocalKafkaResource implements QuarkusTestResourceLifecycleManager {

    /** JVM-wide record of the running broker: its bootstrap servers. */
    private static final String BOOTSTRAP_PROPERTY = "batchwise.local-kafka.bootstrap-servers";

    /**
     * Quarkus may load this class more than once (in the class loader of each application it
     * starts for a test profile), so neither a static field nor a lock on the class would be
     * shared. System properties and interned string literals are JVM-wide, so the state and the
     * lock live there.
     */
    private static final String LOCK = "dev.batchwise.testing.LocalKafkaResource.lock";

    private static final long SCRIPT_TIMEOUT_MINUTES = 5;

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", bootstrapServers());
    }

    @Override
    public void stop() {
        // Nothing: Quarkus calls stop() each time it restarts the application for another test
        // profile, and a new broker each time would cost seconds and lose the topics. The broker
        // lives as long as this JVM; the shutdown hook registered in startBroker() ends it.
    }

    /** The broker's bootstrap servers ("127.0.0.1:port"); starts the broker on the first call. */
    public static String bootstrapServers() {
        synchronized (LOCK) {
            String running = System.getProperty(BOOTSTRAP_PROPERTY);
            if (running == null) {
                running = startBroker();
                System.setProperty(BOOTSTRAP_PROPERTY, running);
            }
            return running;
        }
    }

    private static String startBroker() {
        Path baseDir = Path.of(System.getProperty("user.dir"));
        Path dir;
        try {
            dir = Files.createTempDirectory("batchwise-local-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] ports = freePorts(2);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runScript(baseDir, "stop", "--dir", dir.toString());
            deleteTree(dir);
        }, "local-kafka-stop"));

        ScriptResult result = runScript(baseDir, "start",
                "--port", String.valueOf(ports[0]),
                "--controller-port", String.valueOf(ports[1]),
                "--dir", dir.toString(),
                "--exit-with-pid", String.valueOf(ProcessHandle.current().pid()));
        System.out.print(result.output());
        if (result.exitCode() != 0) {
            throw new IllegalStateException("bin/local-kafka start exited with " + result.exitCode()
                    + ":\n" + result.output());
        }
        return "127.0.0.1:" + ports[0];
    }

    /** Ports that are free now; all sockets are held open together so the ports differ. */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the port is still usable
                }
            }
        }
    }

    record ScriptResult(int exitCode, String output) {
    }

    /**
     * Runs bin/local-kafka from baseDir. Output goes to a file, not a pipe, so that reading it can
     * never wait on a process the script left running.
     */
    static ScriptResult runScript(Path baseDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(baseDir.resolve("bin/local-kafka").toString());
        command.addAll(List.of(args));
        Path output = null;
        try {
            output = Files.createTempFile("local-kafka-", ".out");
            Process process = new ProcessBuilder(command)
                    .directory(baseDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(SCRIPT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return new ScriptResult(-1, Files.readString(output, StandardCharsets.UTF_8)
                        + "\n(" + String.join(" ", command) + " timed out)");
            }
            return new ScriptResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
