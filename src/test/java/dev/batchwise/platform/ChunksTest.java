package dev.batchwise.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunksTest {

    /**
     * Results come as real-time calls end (ten at a time), and each chunk takes longer to write than the window:
     * the window ends while the consumer is busy. Every result still arrives, once.
     */
    @Test
    void aWindowThatEndsWhileTheConsumerWritesLosesNothing() {
        List<Integer> requests = IntStream.range(0, 200).boxed().toList();
        Multi<Integer> results = Multi.createFrom().iterable(requests)
                .onItem().transformToUni(i -> Uni.createFrom().item(i).onItem().delayIt().by(Duration.ofMillis(20 + i % 7)))
                .merge(10);
        List<Integer> written = new ArrayList<>();

        Chunks.bySizeOrTime(results, 50, Duration.ofMillis(50))
                .onItem().transformToUniAndConcatenate(chunk -> Uni.createFrom().item(chunk)
                        .onItem().delayIt().by(Duration.ofMillis(300)).invoke(written::addAll))
                .collect().last().await().atMost(Duration.ofSeconds(60));

        assertEquals(requests.size(), written.size());
        assertEquals(new TreeSet<>(requests), new TreeSet<>(written));
    }
}
