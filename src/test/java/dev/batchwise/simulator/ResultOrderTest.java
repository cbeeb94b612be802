package dev.batchwise.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The results order (provider-apis.md, Corrections 6): every index once, never the submission order. */
class ResultOrderTest {

    @Test
    void everyBatchOfTwoOrMoreComesOutOfSubmissionOrderWithEveryIndexOnce() {
        for (int n : IntStream.concat(IntStream.rangeClosed(1, 300), IntStream.of(1000, 4096, 50_000, 100_000))
                .toArray()) {
            List<Integer> order = order(n);
            List<Integer> submission = IntStream.range(0, n).boxed().toList();
            assertEquals(submission, order.stream().sorted().toList(), "every index exactly once, n=" + n);
            if (n >= 2) {
                assertNotEquals(submission, order, "out of submission order, n=" + n);
            }
        }
    }

    @Test
    void theOrderIsTheSameEveryTime() {
        assertEquals(order(7), order(7));
        assertEquals(List.of(1, 0), order(2));
    }

    private static List<Integer> order(int n) {
        int step = ResultOrder.step(n);
        List<Integer> order = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            order.add(ResultOrder.index(j, n, step));
        }
        return order;
    }
}
