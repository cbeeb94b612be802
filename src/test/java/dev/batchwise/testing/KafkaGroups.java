package dev.batchwise.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.awaitility.Awaitility;

/**
 * The service's consumer groups on the test JVM's broker. A packaged-service test that starts from an empty schema
 * also starts its consumer groups at the end of their topics: a record an earlier test's service left unconsumed
 * (it was killed) must not turn up as a run in this test's database.
 */
public final class KafkaGroups {

    /** The service's durable consumer groups and the topic each reads. */
    public static final Map<String, String> SERVICE_GROUPS = Map.of(
            "batchwise-verify-node", "atoms.inferred",
            "batchwise-batch-submitter", "verify.requested",
            "batchwise-run-tracker", "batch.completed");

    private KafkaGroups() {
    }

    /**
     * Moves each of the service's groups to the end of its topic. Waits (a killed member stays in its group until
     * its session times out) until no member is left.
     */
    public static void skipToEnd(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (Map.Entry<String, String> group : SERVICE_GROUPS.entrySet()) {
                if (!topics.contains(group.getValue())) {
                    continue; // the first service start creates the topics
                }
                Map<TopicPartition, OffsetAndMetadata> ends = ends(admin, group.getValue());
                Awaitility.await("consumer group " + group.getKey() + " empty").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> {
                            try {
                                admin.alterConsumerGroupOffsets(group.getKey(), ends).all().get(30, TimeUnit.SECONDS);
                                return true;
                            } catch (ExecutionException e) {
                                if (e.getCause() instanceof GroupNotEmptyException
                                        || e.getCause() instanceof UnknownMemberIdException) {
                                    return false;
                                }
                                throw e;
                            }
                        });
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not move the consumer groups to the end of their topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> ends(Admin admin, String topic)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, new OffsetAndMetadata(info.offset())));
        return ends;
    }
}
