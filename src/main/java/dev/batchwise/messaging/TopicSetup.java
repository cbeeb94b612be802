package dev.batchwise.messaging;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Creates the pipeline topics and their dead-letter topics before the consumers start, so that a
 * consumer never auto-creates a topic with the broker's default partition count.
 */
@ApplicationScoped
class TopicSetup {

    private final TopicsConfig config;
    private final String bootstrapServers;

    TopicSetup(TopicsConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
    }

    void createTopics(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 20) StartupEvent ignored) {
        if (!config.createAtStart()) {
            return;
        }
        List<NewTopic> wanted = new ArrayList<>();
        for (String topic : Topics.CONSUMED) {
            wanted.add(new NewTopic(topic, config.partitions(), config.replicationFactor()));
            wanted.add(new NewTopic(Topics.deadLetter(topic), 1, config.replicationFactor()));
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            Set<String> existing = admin.listTopics().names().get(20, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(20, TimeUnit.SECONDS);
                Log.infof("created Kafka topics %s", missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException | TimeoutException e) {
            String cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause().toString() : e.toString();
            throw new ConfigurationException("Kafka is not reachable at kafka.bootstrap.servers=" + bootstrapServers
                    + " (" + cause + "). Locally, start a broker with: bin/local-kafka start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        }
    }
}
