package dev.batchwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The packaged jar ({@code quarkus.app.jar}, set by failsafe) run as a process of its own, the way an operator runs
 * it: system properties on the command line, stdout and stderr in a file under {@code target/it-logs}, ready when
 * {@code /q/health/ready} says so. {@link #kill()} is a SIGKILL ({@link Process#destroyForcibly()} on Linux): no
 * shutdown hook runs, nothing is flushed. Close it (try-with-resources, {@code @AfterAll}) so that no process
 * outlives its test.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The heap of a service process unless its spec says otherwise. */
    public static final String DEFAULT_HEAP = "256m";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final AtomicInteger STARTS = new AtomicInteger();
    /** Processes not yet seen to end: killed when the test JVM exits, should a test leave one behind. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "service-processes-stop"));
    }

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;
    private final long pid;

    private ServiceProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.pid = process.pid();
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
    }

    /** A process to be started with {@code -Dquarkus.profile=profile}, on a free port unless told otherwise. */
    public static Spec spec(String name, String profile) {
        return new Spec(name, profile, 0, DEFAULT_HEAP, true, new LinkedHashMap<>());
    }

    /** What to start: immutable, so one spec can start a process, and again after a kill, or with one change. */
    public static final class Spec {
        private final String name;
        private final String profile;
        private final int port;
        private final String heap;
        private final boolean c1Only;
        private final Map<String, String> properties;

        private Spec(String name, String profile, int port, String heap, boolean c1Only, Map<String, String> properties) {
            this.name = name;
            this.profile = profile;
            this.port = port;
            this.heap = heap;
            this.c1Only = c1Only;
            this.properties = properties;
        }

        public Spec with(String key, Object value) {
            Map<String, String> copy = new LinkedHashMap<>(properties);
            copy.put(key, String.valueOf(value));
            return new Spec(name, profile, port, heap, c1Only, copy);
        }

        public Spec with(Map<String, ?> more) {
            Spec spec = this;
            for (Map.Entry<String, ?> entry : more.entrySet()) {
                spec = spec.with(entry.getKey(), entry.getValue());
            }
            return spec;
        }

        public Spec without(String key) {
            Map<String, String> copy = new LinkedHashMap<>(properties);
            copy.remove(key);
            return new Spec(name, profile, port, heap, c1Only, copy);
        }

        /** The HTTP port (a free one is chosen now when none was given, so restarts can keep it). */
        public Spec onPort(int httpPort) {
            return new Spec(name, profile, httpPort, heap, c1Only, properties);
        }

        /** Both JIT compilers, as in production (for measurements); C1 only otherwise, which starts sooner. */
        public Spec fullJit() {
            return new Spec(name, profile, port, heap, false, properties);
        }

        /** The maximum heap ({@code -Xmx}), 256 MB unless told otherwise. */
        public Spec heap(String xmx) {
            return new Spec(name, profile, port, xmx, c1Only, properties);
        }

        public Spec named(String newName) {
            return new Spec(newName, profile, port, heap, c1Only, properties);
        }

        public int port() {
            return port;
        }

        public String name() {
            return name;
        }

        /** Starts the process; it is not ready yet (see {@link ServiceProcess#awaitReady(Duration)}). */
        public ServiceProcess start() {
            int httpPort = port > 0 ? port : LocalKafkaResource.freePorts(1)[0];
            Path dir = Path.of(System.getProperty("user.dir"), "target", "it-logs");
            Path logFile = dir.resolve(String.format("%s-%02d.log", name, STARTS.incrementAndGet()));
            String java = ProcessHandle.current().info().command().orElse("java");
            // a small heap; C1 only, which starts the jar about a third faster on two shared cores
            List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap));
            if (c1Only) {
                command.add("-XX:TieredStopAtLevel=1");
            }
            command.add("-Dquarkus.profile=" + profile);
            command.add("-Dquarkus.http.port=" + httpPort);
            properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-jar");
            command.add(System.getProperty("quarkus.app.jar", "target/quarkus-app/quarkus-run.jar"));
            try {
                Files.createDirectories(dir);
                Files.writeString(logFile, String.join(" ", command) + "\n");
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
                // only what the command line says counts: no setting leaks in from the developer's environment
                builder.environment().keySet().removeIf(key -> key.startsWith("BATCH_") || key.startsWith("LLM_")
                        || key.startsWith("QUARKUS_") || key.startsWith("DB_") || key.startsWith("KAFKA_")
                        || key.startsWith("ANTHROPIC_") || key.startsWith("OPENAI_") || key.startsWith("DEMO_")
                        || key.equals("PORT"));
                return new ServiceProcess(name, httpPort, builder.start(), logFile);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start " + name, e);
            }
        }
    }

    /** Ports that are free now, all different. */
    public static int[] freePorts(int count) {
        return LocalKafkaResource.freePorts(count);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return pid;
    }

    public Path logFile() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until {@code /q/health/ready} answers 200; fails early, with the log, if the process ends first. */
    public ServiceProcess awaitReady(Duration atMost) {
        try {
            Awaitility.await(name + " ready").atMost(atMost).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(name + " exited with " + process.exitValue()
                                    + " before it was ready:\n" + tail(80));
                        }
                        try {
                            return get("/q/health/ready").statusCode() == 200;
                        } catch (IOException notListeningYet) {
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name + " not ready within " + atMost + ":\n" + tail(80), e);
        }
        return this;
    }

    /** SIGKILL, then waits for the process to be gone; its exit code (137 on Linux). */
    public int kill() {
        process.destroyForcibly();
        return waitForExit(Duration.ofSeconds(30));
    }

    /** Waits for the process to end by itself (a fault that halts it); its exit code. */
    public int awaitExit(Duration atMost) {
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still running after " + atMost + ":\n" + tail(80));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** A graceful stop (SIGTERM: consumers commit, producers flush), SIGKILL when that takes too long. */
    public void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private int waitForExit(Duration atMost) {
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid + ") did not end after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** Everything the process printed so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> logLines() {
        return List.of(log().split("\n"));
    }

    public boolean logContains(String text) {
        return log().contains(text);
    }

    /** The last lines of the log, for failure messages. */
    public String tail(int lines) {
        List<String> all = logLines();
        return "--- " + log + " (last " + Math.min(lines, all.size()) + " of " + all.size() + " lines) ---\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    public HttpResponse<String> get(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public HttpResponse<String> post(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> put(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> delete(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    private URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid + ", port " + port + ", log " + log + ")";
    }
}
