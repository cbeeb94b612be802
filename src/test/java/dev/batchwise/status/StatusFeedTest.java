package dev.batchwise.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** One client's feed: snapshot first, nothing lost in between, nothing older, and bounded for a slow client. */
class StatusFeedTest {

    /** A client whose sends complete only when the test says so (a client that reads nothing never does). */
    static final class Client {
        final List<StatusEvent> received = new ArrayList<>();
        final List<UniEmitter<? super Void>> inFlight = new ArrayList<>();
        final AtomicBoolean closed = new AtomicBoolean();
        boolean reading = true;

        Uni<Void> send(StatusEvent event) {
            return Uni.createFrom().emitter(emitter -> {
                received.add(event);
                if (reading) {
                    emitter.complete(null);
                } else {
                    inFlight.add(emitter);
                }
            });
        }

        /** The client reads again: what was written is through, and everything after it flows. */
        void resume() {
            reading = true;
            List<UniEmitter<? super Void>> waiting = new ArrayList<>(inFlight);
            inFlight.clear();
            waiting.forEach(e -> e.complete(null));
        }

        List<Long> seqs(String runId) {
            return received.stream().filter(e -> e.runId().equals(runId)).map(StatusEvent::seq).toList();
        }
    }

    private static StatusEvent event(String runId, long seq, RunStatus status) {
        return new StatusEvent(runId, status, RunStage.VERIFYING, new BatchProgress((int) seq, 0, 0), "unknown", seq,
                Instant.EPOCH.plusSeconds(seq));
    }

    @Test
    void theSnapshotComesFirstAndAnEventPublishedBeforeItIsReadIsNotLost() {
        Client client = new Client();
        StatusFeed feed = new StatusFeed(client::send, () -> client.closed.set(true), 10);
        // subscribed; the snapshot is being read; meanwhile the run's final event arrives
        feed.offer(event("r", 8, RunStatus.VERIFIED));
        assertTrue(client.received.isEmpty(), "nothing is sent before the snapshot");
        feed.snapshot(List.of(event("r", 7, RunStatus.BATCH_PROCESSING)));
        assertEquals(List.of(7L, 8L), client.seqs("r"));
        assertEquals(RunStatus.VERIFIED, client.received.get(1).status());
    }

    @Test
    void eventsTheSnapshotAlreadyCoversAreDropped() {
        Client client = new Client();
        StatusFeed feed = new StatusFeed(client::send, () -> client.closed.set(true), 10);
        feed.offer(event("r", 3, RunStatus.BATCH_PROCESSING));
        feed.offer(event("r", 5, RunStatus.BATCH_PROCESSING));
        feed.snapshot(List.of(event("r", 5, RunStatus.BATCH_PROCESSING)));
        feed.offer(event("r", 4, RunStatus.BATCH_PROCESSING)); // a late redelivery
        feed.offer(event("r", 5, RunStatus.BATCH_PROCESSING));
        feed.offer(event("r", 6, RunStatus.VERIFIED));
        assertEquals(List.of(5L, 6L), client.seqs("r"));
    }

    @Test
    void aClientThatReadsNothingHoldsOnlyTheLatestEventOfEachRunAndGetsTheFinalOne() {
        Client client = new Client();
        StatusFeed feed = new StatusFeed(client::send, () -> client.closed.set(true), 10);
        feed.snapshot(List.of(event("r", 1, RunStatus.BATCH_PROCESSING)));
        client.reading = false;
        feed.offer(event("r", 2, RunStatus.BATCH_PROCESSING)); // in flight, never completes while not reading
        for (long seq = 3; seq < 10_000; seq++) {
            feed.offer(event("r", seq, RunStatus.BATCH_PROCESSING));
            assertTrue(feed.waiting() <= 1, "one run: at most one event waits, at seq " + seq);
        }
        feed.offer(event("r", 10_000, RunStatus.VERIFIED));
        assertEquals(List.of(1L, 2L), client.seqs("r"), "nothing more went out while the client did not read");
        assertEquals(9_997, feed.dropped(), "every intermediate event that waited was replaced by a later one");
        client.resume();
        assertEquals(List.of(1L, 2L, 10_000L), client.seqs("r"));
        assertEquals(RunStatus.VERIFIED, client.received.get(client.received.size() - 1).status());
        assertFalse(client.closed.get());
    }

    @Test
    void pastItsBoundAFeedDropsTheOldestProgressAndNeverAFinalState() {
        Client client = new Client();
        StatusFeed feed = new StatusFeed(client::send, () -> client.closed.set(true), 3);
        feed.snapshot(List.of());
        client.reading = false;
        feed.offer(event("busy", 1, RunStatus.BATCH_PROCESSING)); // in flight
        feed.offer(event("a", 1, RunStatus.VERIFIED));
        feed.offer(event("b", 1, RunStatus.BATCH_PROCESSING));
        feed.offer(event("c", 1, RunStatus.VERIFIED));
        feed.offer(event("d", 1, RunStatus.FAILED)); // four waiting: b's progress goes
        assertEquals(3, feed.waiting());
        assertEquals(1, feed.dropped());
        client.resume();
        assertEquals(List.of("busy", "a", "c", "d"), client.received.stream().map(StatusEvent::runId).toList());
        assertFalse(client.closed.get());
    }

    @Test
    void aClientWithMoreFinalStatesWaitingThanItsBoundIsClosedToStartOverFromASnapshot() {
        Client client = new Client();
        StatusFeed feed = new StatusFeed(client::send, () -> client.closed.set(true), 2);
        feed.snapshot(List.of());
        client.reading = false;
        feed.offer(event("busy", 1, RunStatus.BATCH_PROCESSING));
        feed.offer(event("a", 1, RunStatus.VERIFIED));
        feed.offer(event("b", 1, RunStatus.VERIFIED));
        assertFalse(client.closed.get());
        feed.offer(event("c", 1, RunStatus.VERIFIED));
        assertTrue(client.closed.get(), "no final state is dropped: the client is told to reconnect");
    }
}
