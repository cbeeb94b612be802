package dev.batchwise.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Proves that what we ship for clusters agrees with itself and with the application: the manifests in
 * {@code deploy/} (probes, ports, Secret keys, Kafka topics, environment), the image in
 * {@code src/main/docker/Dockerfile.jvm} and the channels and variables of {@code application.properties}.
 *
 * <p>Not a {@code @QuarkusTest}: no Quarkus start needed because it only reads files.
 */
class DeployManifestsTest {

    private static final Path PROJECT_DIR = Path.of(System.getProperty("user.dir"));
    private static final Path DEPLOY_DIR = PROJECT_DIR.resolve("deploy");
    private static final Path KUSTOMIZATION = DEPLOY_DIR.resolve("kustomization.yaml");
    private static final Path SECRET_EXAMPLE = DEPLOY_DIR.resolve("secret.example.yaml");
    private static final Path APPLICATION_PROPERTIES = PROJECT_DIR.resolve("src/main/resources/application.properties");
    private static final Path DOCKERFILE_JVM = PROJECT_DIR.resolve("src/main/docker/Dockerfile.jvm");
    private static final Path DOCKERIGNORE = PROJECT_DIR.resolve(".dockerignore");

    private static final String SECRET_NAME = "batchwise-secrets";
    private static final String CONFIG_MAP_NAME = "batchwise-config";
    private static final String LIVE_PATH = "/q/health/live";
    private static final String READY_PATH = "/q/health/ready";
    private static final Set<String> STARTUP_PATHS = Set.of("/q/health/started", LIVE_PATH);

    /** What every cluster must set, whatever application.properties does with it. */
    private static final Set<String> REQUIRED_ENV = Set.of("KAFKA_BOOTSTRAP_SERVERS", "DB_HOST", "DB_NAME", "DB_USER",
            "DB_PASSWORD", "ANTHROPIC_API_KEY", "OPENAI_API_KEY");

    /** The seed's batch variables (DESIGN.md). Quarkus maps them onto batch.*, so no ${} names them. */
    private static final List<String> BATCH_ENV = List.of("BATCH_API_ENABLED", "BATCH_THRESHOLD",
            "BATCH_POLL_INTERVAL_MS", "BATCH_TIMEOUT_MS", "BATCH_MAX_REQUESTS_PER_BATCH");

    /** The batch, provider, database and Kafka settings, which the ConfigMap or the Secret provide. */
    private static final List<String> CLUSTER_ENV_PREFIXES = List.of("BATCH_", "ANTHROPIC_", "OPENAI_", "DB_", "KAFKA_");

    /** Read, yet deliberately unset on clusters: empty means the provider's public endpoint. */
    private static final Set<String> OPTIONAL_ENV = Set.of("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL");

    /** An environment variable in a property expression: ${NAME} or ${NAME:default}; ${a.b} is a property. */
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
    private static final Pattern CHANNEL_KEY = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(.+)");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void kustomizationListsEveryManifestAndEachOneParses() throws IOException {
        JsonNode kustomization = single(KUSTOMIZATION);
        assertFalse(kustomization.has("namespace"),
                "deploy/kustomization.yaml sets a namespace; it must stay namespace-agnostic (kubectl apply -k deploy/ -n <ns>)");
        List<String> listed = resourceFiles(kustomization);
        assertFalse(listed.isEmpty(), "deploy/kustomization.yaml lists no resources");

        for (String file : listed) {
            Path path = DEPLOY_DIR.resolve(file);
            assertTrue(Files.isRegularFile(path), "deploy/kustomization.yaml lists " + file + ", but deploy/" + file + " does not exist");
            List<JsonNode> documents = documents(path);
            assertFalse(documents.isEmpty(), "deploy/" + file + " is listed in kustomization.yaml but holds no YAML document");
            for (JsonNode doc : documents) {
                String what = "a document in deploy/" + file;
                assertTrue(doc.path("apiVersion").isTextual() && doc.path("kind").isTextual(),
                        what + " has no apiVersion or kind: " + doc);
                String name = doc.path("metadata").path("name").asText("");
                assertTrue(DNS_SUBDOMAIN.matcher(name).matches() && name.length() <= 253,
                        what + " (" + doc.path("kind").asText() + ") has metadata.name '" + name + "', which is not a DNS name");
                assertFalse(doc.path("metadata").has("namespace"),
                        "deploy/" + file + ": " + name + " sets metadata.namespace; the manifests must stay namespace-agnostic");
            }
        }

        Set<String> unlisted = yamlFilesIn(DEPLOY_DIR).stream()
                .filter(f -> !f.equals(KUSTOMIZATION.getFileName().toString()) && !f.equals(SECRET_EXAMPLE.getFileName().toString()))
                .filter(f -> !listed.contains(f))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(unlisted.isEmpty(), "deploy/ holds " + unlisted + ", not listed in kustomization.yaml, so kubectl apply -k never applies them");
        assertFalse(listed.contains(SECRET_EXAMPLE.getFileName().toString()),
                "kustomization.yaml lists secret.example.yaml: applying it would replace the real keys with placeholders");
    }

    @Test
    void probesCallTheHealthEndpointsOnThePortTheServiceTargets() {
        JsonNode deployment = resource("Deployment");
        JsonNode service = resource("Service");
        JsonNode container = appContainer(deployment);
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");

        assertLabelsMatch(deployment.path("spec").path("selector").path("matchLabels"), podLabels,
                "Deployment " + name(deployment) + " selector.matchLabels");
        assertLabelsMatch(service.path("spec").path("selector"), podLabels, "Service " + name(service) + " selector");

        JsonNode servicePorts = service.path("spec").path("ports");
        assertTrue(servicePorts.isArray() && servicePorts.size() > 0, "Service " + name(service) + " has no ports");
        JsonNode servicePort = servicePorts.get(0);
        for (JsonNode port : servicePorts) {
            if ("http".equals(port.path("name").asText())) {
                servicePort = port;
            }
        }
        JsonNode target = servicePort.has("targetPort") ? servicePort.get("targetPort") : servicePort.get("port");
        int targetNumber = containerPortNumber(container, target, "Service " + name(service) + " targetPort");

        Map<String, Set<String>> expectedPaths = new LinkedHashMap<>();
        expectedPaths.put("livenessProbe", Set.of(LIVE_PATH));
        expectedPaths.put("readinessProbe", Set.of(READY_PATH));
        expectedPaths.put("startupProbe", STARTUP_PATHS);
        for (Map.Entry<String, Set<String>> probe : expectedPaths.entrySet()) {
            String what = "container " + container.path("name").asText() + " " + probe.getKey();
            JsonNode httpGet = container.path(probe.getKey()).path("httpGet");
            assertTrue(httpGet.isObject(), what + " is missing or not an httpGet probe");
            String path = httpGet.path("path").asText("");
            assertTrue(probe.getValue().contains(path), what + " calls " + path + ", expected one of " + probe.getValue());
            int probeNumber = containerPortNumber(container, httpGet.get("port"), what + " port");
            assertEquals(targetNumber, probeNumber, what + " calls port " + probeNumber
                    + " but the Service targets port " + targetNumber + ": the probe checks a port no traffic goes to");
        }
    }

    @Test
    void everySecretReferenceNamesTheSecretAndAKeyOfTheExample() {
        JsonNode example = single(SECRET_EXAMPLE);
        assertEquals("Secret", example.path("kind").asText(), "deploy/secret.example.yaml is not a Secret");
        assertEquals(SECRET_NAME, name(example), "deploy/secret.example.yaml names another Secret than the Deployment reads");
        Set<String> exampleKeys = new TreeSet<>();
        example.path("stringData").fieldNames().forEachRemaining(exampleKeys::add);
        example.path("data").fieldNames().forEachRemaining(exampleKeys::add);

        JsonNode deployment = resource("Deployment");
        Map<String, JsonNode> secretRefs = new TreeMap<>();
        for (JsonNode container : allContainers(deployment)) {
            for (JsonNode env : container.path("env")) {
                JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                if (ref.isObject()) {
                    secretRefs.put(env.path("name").asText(), ref);
                }
            }
            for (JsonNode from : container.path("envFrom")) {
                JsonNode ref = from.path("secretRef");
                if (ref.isObject()) {
                    assertEquals(SECRET_NAME, ref.path("name").asText(),
                            "container " + container.path("name").asText() + " envFrom reads Secret " + ref.path("name").asText());
                }
            }
        }
        assertTrue(secretRefs.containsKey("DB_PASSWORD"), "no env entry DB_PASSWORD reads the Secret " + SECRET_NAME);

        Set<String> usedKeys = new TreeSet<>();
        secretRefs.forEach((env, ref) -> {
            assertEquals(SECRET_NAME, ref.path("name").asText(),
                    "env " + env + " reads Secret '" + ref.path("name").asText() + "', not " + SECRET_NAME);
            String key = ref.path("key").asText();
            assertTrue(exampleKeys.contains(key), "env " + env + " reads key '" + key + "' of Secret " + SECRET_NAME
                    + ", but secret.example.yaml (and its kubectl create secret command) has only " + exampleKeys);
            usedKeys.add(key);
        });
        Set<String> unused = new TreeSet<>(exampleKeys);
        unused.removeAll(usedKeys);
        assertTrue(unused.isEmpty(), "secret.example.yaml has keys " + unused + " that no env entry of the Deployment reads");
        assertFalse(secretRefs.get("DB_PASSWORD").path("optional").asBoolean(false),
                "DB_PASSWORD is optional: a pod without it would start and fail on its first database connection");
    }

    @Test
    void kafkaTopicsAreExactlyTheTopicsOfTheMessagingChannels() {
        Set<String> channelTopics = kafkaTopicsOfChannels(applicationProperties());
        assertFalse(channelTopics.isEmpty(), "application.properties configures no mp.messaging channel");

        List<JsonNode> kafkaTopics = resources("KafkaTopic");
        Map<String, String> topicToResource = new TreeMap<>();
        Set<String> clusters = new TreeSet<>();
        for (JsonNode topic : kafkaTopics) {
            String topicName = topic.path("spec").path("topicName").asText(name(topic));
            String previous = topicToResource.put(topicName, name(topic));
            assertTrue(previous == null, "KafkaTopics " + previous + " and " + name(topic) + " both create topic " + topicName);
            clusters.add(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText("(no strimzi.io/cluster label)"));
            assertTrue(topic.path("spec").path("partitions").asInt(0) > 0 && topic.path("spec").path("replicas").asInt(0) > 0,
                    "KafkaTopic " + name(topic) + " needs positive spec.partitions and spec.replicas");
            if (topicName.endsWith(".dlq")) {
                assertTrue(topic.path("spec").path("config").has("retention.ms"),
                        "dead-letter KafkaTopic " + name(topic) + " sets no retention.ms");
            }
        }

        Set<String> missing = new TreeSet<>(channelTopics);
        missing.removeAll(topicToResource.keySet());
        Set<String> extra = new TreeSet<>(topicToResource.keySet());
        extra.removeAll(channelTopics);
        assertTrue(missing.isEmpty() && extra.isEmpty(), "deploy/kafka-topics.yaml and the channels of application.properties differ:"
                + " topics the channels use but no KafkaTopic creates " + missing
                + "; KafkaTopics no channel uses " + extra);

        assertEquals(1, clusters.size(), "the KafkaTopics name more than one Strimzi cluster (or none): " + clusters);
        String cluster = clusters.iterator().next();
        String bootstrap = configMapData().path("KAFKA_BOOTSTRAP_SERVERS").asText("");
        assertTrue(bootstrap.startsWith(cluster + "-kafka-bootstrap"), "KafkaTopics belong to Strimzi cluster " + cluster
                + ", but KAFKA_BOOTSTRAP_SERVERS in the ConfigMap is '" + bootstrap + "', not its " + cluster + "-kafka-bootstrap Service");
    }

    @Test
    void everyVariableTheApplicationNeedsIsProvided() {
        Set<String> provided = providedEnv();
        Set<String> referenced = envReferences(applicationProperties());

        Set<String> needed = new TreeSet<>(REQUIRED_ENV);
        needed.addAll(BATCH_ENV);
        referenced.stream()
                .filter(env -> CLUSTER_ENV_PREFIXES.stream().anyMatch(env::startsWith))
                .filter(env -> !OPTIONAL_ENV.contains(env))
                .forEach(needed::add);
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(provided);
        assertTrue(missing.isEmpty(), "the variables " + missing + " are needed (application.properties reads them as ${NAME}, or DESIGN.md names them),"
                + " but neither ConfigMap " + CONFIG_MAP_NAME + " nor the Deployment's env sets them");
        assertEquals("prod", configMapData().path("QUARKUS_PROFILE").asText(""), "ConfigMap " + CONFIG_MAP_NAME
                + " must set QUARKUS_PROFILE to prod, the profile for clusters");
    }

    @Test
    void everyVariableTheClusterSetsIsReadByTheApplication() {
        Set<String> referenced = envReferences(applicationProperties());
        Set<String> unread = providedEnv().stream()
                .filter(env -> !referenced.contains(env))
                // Quarkus maps these onto properties by name (QUARKUS_PROFILE, BATCH_THRESHOLD -> batch.threshold).
                .filter(env -> !env.startsWith("QUARKUS_") && !BATCH_ENV.contains(env))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(unread.isEmpty(), "the ConfigMap or the Deployment sets " + unread
                + ", but application.properties reads no ${NAME} of that name (renamed on one side only?)");
    }

    @Test
    void configMapValuesAreStringsOfTheRightShape() {
        JsonNode configMap = resource("ConfigMap");
        assertEquals(CONFIG_MAP_NAME, name(configMap), "the ConfigMap is not the one the Deployment reads");
        Set<String> envFromConfigMaps = new TreeSet<>();
        for (JsonNode from : appContainer(resource("Deployment")).path("envFrom")) {
            envFromConfigMaps.add(from.path("configMapRef").path("name").asText(""));
        }
        assertTrue(envFromConfigMaps.contains(CONFIG_MAP_NAME), "the Deployment's envFrom does not read ConfigMap " + CONFIG_MAP_NAME);

        configMap.path("data").fields().forEachRemaining(entry -> assertTrue(entry.getValue().isTextual(),
                "ConfigMap " + CONFIG_MAP_NAME + " value of " + entry.getKey() + " is " + entry.getValue().getNodeType()
                        + ", not a string; Kubernetes rejects it (quote it)"));
        JsonNode data = configMapData();
        String enabled = data.path("BATCH_API_ENABLED").asText("");
        assertTrue(enabled.equals("true") || enabled.equals("false"), "BATCH_API_ENABLED is '" + enabled + "', not true or false");
        for (String env : BATCH_ENV.subList(1, BATCH_ENV.size())) {
            String value = data.path(env).asText("");
            assertTrue(value.matches("[1-9][0-9]*"), env + " is '" + value + "', not a positive whole number");
        }
    }

    @Test
    void dockerfileCopiesTheFastJarAndRunsAsNonRootUser() throws IOException {
        assertTrue(Files.isRegularFile(DOCKERFILE_JVM), "src/main/docker/Dockerfile.jvm does not exist");
        List<String> instructions = dockerInstructions(DOCKERFILE_JVM);

        List<String> copySources = instructions.stream()
                .filter(i -> i.startsWith("COPY "))
                .flatMap(i -> Stream.of(i.substring(5).trim().split("\\s+")))
                .filter(word -> !word.startsWith("--"))
                .collect(Collectors.toList());
        for (String part : List.of("lib/", "*.jar", "app/", "quarkus/")) {
            assertTrue(copySources.contains("target/quarkus-app/" + part),
                    "Dockerfile.jvm does not COPY target/quarkus-app/" + part + " (the Quarkus fast-jar layout); COPY words: " + copySources);
        }

        String user = instructions.stream().filter(i -> i.startsWith("USER ")).reduce((first, last) -> last)
                .map(i -> i.substring(5).trim().split(":")[0]).orElse("(none: root)");
        assertTrue(user.matches("[0-9]+") && !user.equals("0"), "Dockerfile.jvm runs as user " + user
                + "; it must be a numeric non-root UID, or the kubelet cannot verify runAsNonRoot and refuses the pod");

        JsonNode deployment = resource("Deployment");
        boolean runAsNonRoot = deployment.path("spec").path("template").path("spec").path("securityContext").path("runAsNonRoot").asBoolean(false)
                || appContainer(deployment).path("securityContext").path("runAsNonRoot").asBoolean(false);
        assertTrue(runAsNonRoot, "the Deployment does not set securityContext.runAsNonRoot: true");

        JsonNode container = appContainer(deployment);
        Set<String> exposed = instructions.stream().filter(i -> i.startsWith("EXPOSE "))
                .flatMap(i -> Stream.of(i.substring(7).trim().split("\\s+")))
                .map(port -> port.split("/")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        for (JsonNode port : container.path("ports")) {
            String number = port.path("containerPort").asText();
            assertTrue(exposed.contains(number), "the Deployment's container port " + number
                    + " is not EXPOSEd by Dockerfile.jvm (EXPOSE " + exposed + ")");
        }

        if (Files.isRegularFile(DOCKERIGNORE)) {
            List<String> ignore = Files.readAllLines(DOCKERIGNORE, StandardCharsets.UTF_8).stream()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
            assertTrue(!ignore.contains("*") || ignore.stream().anyMatch(l -> l.startsWith("!target/quarkus-app")),
                    ".dockerignore excludes everything (*) without re-including target/quarkus-app, so docker build finds nothing to COPY");
        }
    }

    // ---- application.properties ----

    private static Properties applicationProperties() {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + PROJECT_DIR.relativize(APPLICATION_PROPERTIES) + ": " + e.getMessage(), e);
        }
        return properties;
    }

    /**
     * Every Kafka topic the channels use (profile-prefixed keys skipped): the {@code topic} (SmallRye's
     * default is the channel name) and, where set or implied by {@code failure-strategy=dead-letter-queue},
     * the {@code dead-letter-queue.topic} (default {@code dead-letter-topic-<channel>}).
     */
    static Set<String> kafkaTopicsOfChannels(Properties properties) {
        Map<String, Map<String, String>> channels = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            Matcher matcher = CHANNEL_KEY.matcher(key);
            if (!key.startsWith("%") && matcher.matches()) {
                channels.computeIfAbsent(matcher.group(1) + " " + matcher.group(2), c -> new TreeMap<>())
                        .put(matcher.group(3), properties.getProperty(key).trim());
            }
        }
        Set<String> topics = new TreeSet<>();
        channels.forEach((channel, attributes) -> {
            String connector = attributes.getOrDefault("connector", "smallrye-kafka");
            if (!connector.equals("smallrye-kafka")) {
                return;
            }
            String channelName = channel.substring(channel.indexOf(' ') + 1);
            assertFalse(Boolean.parseBoolean(attributes.getOrDefault("pattern", "false")),
                    channel + " subscribes by pattern, which cannot be matched to KafkaTopic names");
            if (attributes.containsKey("topics")) {
                Stream.of(attributes.get("topics").split(",")).map(String::trim).filter(t -> !t.isEmpty()).forEach(topics::add);
            } else {
                topics.add(attributes.getOrDefault("topic", channelName));
            }
            if (attributes.containsKey("dead-letter-queue.topic")) {
                topics.add(attributes.get("dead-letter-queue.topic"));
            } else if ("dead-letter-queue".equals(attributes.get("failure-strategy"))) {
                topics.add("dead-letter-topic-" + channelName);
            }
        });
        return topics;
    }

    /** Environment variables named in ${...} by the values that apply on clusters: unprefixed and %prod keys. */
    static Set<String> envReferences(Properties properties) {
        Set<String> names = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("%") && !key.startsWith("%prod.")) {
                continue;
            }
            Matcher matcher = ENV_REFERENCE.matcher(properties.getProperty(key));
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    // ---- manifests ----

    private static List<String> resourceFiles(JsonNode kustomization) {
        List<String> files = new ArrayList<>();
        kustomization.path("resources").forEach(r -> files.add(r.asText()));
        return files;
    }

    /** All documents of all files that kustomization.yaml lists. */
    private static List<JsonNode> kustomizedResources() {
        List<JsonNode> all = new ArrayList<>();
        for (String file : resourceFiles(single(KUSTOMIZATION))) {
            all.addAll(documents(DEPLOY_DIR.resolve(file)));
        }
        return all;
    }

    private static List<JsonNode> resources(String kind) {
        return kustomizedResources().stream().filter(r -> kind.equals(r.path("kind").asText())).collect(Collectors.toList());
    }

    private static JsonNode resource(String kind) {
        List<JsonNode> found = resources(kind);
        assertEquals(1, found.size(), "expected exactly one " + kind + " among the files of deploy/kustomization.yaml, found " + found.size());
        return found.get(0);
    }

    private static JsonNode configMapData() {
        return resource("ConfigMap").path("data");
    }

    /** Names the ConfigMap (through envFrom) or the Deployment's env entries set. */
    private static Set<String> providedEnv() {
        Set<String> provided = new TreeSet<>();
        configMapData().fieldNames().forEachRemaining(provided::add);
        for (JsonNode container : allContainers(resource("Deployment"))) {
            container.path("env").forEach(env -> provided.add(env.path("name").asText()));
        }
        return provided;
    }

    private static JsonNode appContainer(JsonNode deployment) {
        JsonNode containers = deployment.path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size(), "Deployment " + name(deployment) + " should run exactly one container, runs " + containers.size());
        return containers.get(0);
    }

    private static List<JsonNode> allContainers(JsonNode deployment) {
        List<JsonNode> containers = new ArrayList<>();
        JsonNode podSpec = deployment.path("spec").path("template").path("spec");
        podSpec.path("initContainers").forEach(containers::add);
        podSpec.path("containers").forEach(containers::add);
        return containers;
    }

    /** Resolves a port reference (a name or a number) to a declared container port, failing if it names none. */
    private static int containerPortNumber(JsonNode container, JsonNode reference, String what) {
        assertTrue(reference != null && !reference.isNull(), what + " is not set");
        for (JsonNode port : container.path("ports")) {
            boolean byName = reference.isTextual() && reference.asText().equals(port.path("name").asText());
            boolean byNumber = reference.isInt() && reference.asInt() == port.path("containerPort").asInt();
            if (byName || byNumber) {
                return port.path("containerPort").asInt();
            }
        }
        throw new AssertionError(what + " is " + reference + ", which is no port of container "
                + container.path("name").asText() + " (ports: " + container.path("ports") + ")");
    }

    private static void assertLabelsMatch(JsonNode selector, JsonNode podLabels, String what) {
        assertTrue(selector.isObject() && selector.size() > 0, what + " is empty");
        selector.fields().forEachRemaining(e -> assertEquals(e.getValue().asText(), podLabels.path(e.getKey()).asText(null),
                what + " wants " + e.getKey() + "=" + e.getValue().asText() + ", but the pod template's labels are " + podLabels));
    }

    private static String name(JsonNode resource) {
        return resource.path("metadata").path("name").asText();
    }

    // ---- files ----

    private static JsonNode single(Path file) {
        List<JsonNode> documents = documents(file);
        assertEquals(1, documents.size(), PROJECT_DIR.relativize(file) + " should hold one YAML document, holds " + documents.size());
        return documents.get(0);
    }

    /** Every non-empty document of a multi-document YAML file. */
    private static List<JsonNode> documents(Path file) {
        assertTrue(Files.isRegularFile(file), PROJECT_DIR.relativize(file) + " does not exist");
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (iterator.hasNextValue()) {
                JsonNode document = iterator.nextValue();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    assertTrue(document.isObject(), PROJECT_DIR.relativize(file) + " holds a document that is not a mapping: " + document);
                    documents.add(document);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(PROJECT_DIR.relativize(file) + " does not parse as YAML: " + e.getMessage(), e);
        }
        return documents;
    }

    private static Set<String> yamlFilesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Dockerfile instructions with continuation lines joined and comments dropped, keyword upper-cased. */
    private static List<String> dockerInstructions(Path dockerfile) throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String instruction = current.toString().trim();
            current.setLength(0);
            if (!instruction.isEmpty()) {
                int space = instruction.indexOf(' ');
                instructions.add(space < 0 ? instruction.toUpperCase() : instruction.substring(0, space).toUpperCase() + instruction.substring(space));
            }
        }
        return instructions;
    }
}
