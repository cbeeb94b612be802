import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) on
 * 127.0.0.1, for development and tests. Started by bin/local-kafka with the Java
 * source launcher, so there is nothing to compile or package:
 *
 * <pre>java -cp "$CP" local-kafka/LocalKafkaBroker.java --port P --controller-port C --dir D [--exit-with-pid PID]</pre>
 *
 * Files in D: server.properties (written on every start), kraft-logs/ (the data),
 * ready (exists while the broker accepts clients; bin/local-kafka waits for it).
 */
public class LocalKafkaBroker {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        int port = Integer.parseInt(opts.get("--port"));
        int controllerPort = Integer.parseInt(opts.get("--controller-port"));
        Path dir = Path.of(opts.get("--dir")).toAbsolutePath();
        Path logDir = dir.resolve("kraft-logs");
        Path propsFile = dir.resolve("server.properties");
        Path ready = dir.resolve("ready");

        Files.createDirectories(dir);
        // A ready file left by a broker that was killed would make the script think we are up.
        Files.deleteIfExists(ready);

        Map<String, String> settings = serverProperties(port, controllerPort, logDir);
        Properties previous = readIfExists(propsFile);
        if (Files.exists(logDir.resolve("meta.properties"))
                && !settings.get("listeners").equals(previous.getProperty("listeners"))) {
            // --standalone formatting records the controller's endpoint in the log, so a
            // directory formatted for other ports would never elect a leader. Its data is
            // throwaway dev/test data: start over.
            System.out.println("local-kafka: " + dir + " was formatted for other ports ("
                    + previous.getProperty("listeners") + "), wiping kraft-logs and reformatting");
            deleteTree(logDir);
        }
        // Written only now, so that it always describes what kraft-logs was formatted for.
        writeProperties(settings, propsFile);
        Properties props = new Properties();
        props.putAll(settings);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            // format refuses an already formatted directory, hence the check above.
            int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                    "-c", propsFile.toString(), "--standalone"}, System.out);
            if (rc != 0) {
                System.err.println("local-kafka: formatting " + logDir + " failed (exit " + rc + ")");
                System.exit(1);
            }
        }

        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        // SIGTERM (bin/local-kafka stop) and System.exit both come through here. shutdown() is
        // synchronous, as in Kafka's own kafka.Kafka main: the broker deregisters and closes its
        // logs cleanly, so the next start needs neither log recovery nor a wait for the old
        // registration to time out.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
                // best effort: the script removes it too
            }
            server.shutdown();
        }, "local-kafka-shutdown"));

        try {
            // Returns once the broker is unfenced and its listeners accept connections.
            server.startup();
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }

        String bootstrap = "127.0.0.1:" + port;
        Path tmp = dir.resolve("ready.tmp");
        Files.writeString(tmp, bootstrap + "\n");
        Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("local-kafka: broker ready on " + bootstrap);

        if (opts.containsKey("--exit-with-pid")) {
            long pid = Long.parseLong(opts.get("--exit-with-pid"));
            // A test JVM that is killed (kill -9, a crashed fork) runs no shutdown hook of its
            // own; tie our life to it so no broker is left behind holding the ports.
            ProcessHandle.of(pid).ifPresentOrElse(
                    owner -> owner.onExit().thenRun(() -> {
                        System.out.println("local-kafka: process " + pid + " ended, shutting down");
                        System.exit(0);
                    }),
                    () -> {
                        System.out.println("local-kafka: process " + pid + " is already gone, shutting down");
                        System.exit(0);
                    });
        }

        server.awaitShutdown();
    }

    private static Map<String, String> serverProperties(int port, int controllerPort, Path logDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // One node: every internal topic must make do with a single replica.
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Tests should not wait 3 s for the first consumer group rebalance.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        return p;
    }

    /** Written by hand rather than Properties.store: keeps this order and has no timestamp. */
    private static void writeProperties(Map<String, String> settings, Path file) throws IOException {
        StringBuilder text = new StringBuilder("# Written by local-kafka/LocalKafkaBroker.java on every start.\n");
        settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Files.writeString(file, text);
    }

    private static Properties readIfExists(Path file) throws IOException {
        Properties props = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                props.load(in);
            }
        }
        return props;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        boolean valid = args.length % 2 == 0
                && opts.keySet().containsAll(List.of("--port", "--controller-port", "--dir"))
                && List.of("--port", "--controller-port", "--dir", "--exit-with-pid").containsAll(opts.keySet());
        if (!valid) {
            System.err.println("usage: LocalKafkaBroker --port P --controller-port C --dir D [--exit-with-pid PID]");
            System.exit(2);
        }
        return opts;
    }
}
