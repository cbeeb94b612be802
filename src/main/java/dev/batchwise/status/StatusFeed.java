package dev.batchwise.status;

import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What one WebSocket client is sent, in order: the snapshot first, then live events newer than what it has. Live
 * events that come before the snapshot is read are kept, so none is lost in between; one whose {@code seq} is not
 * above the client's latest for that run is older news and dropped. One send at a time: while the client is slow,
 * only each run's latest event waits (every event is the whole state, so an intermediate one can go), in a buffer of
 * at most {@code maxPendingRuns} runs. Threads: events come from the Kafka consumer, send completions from the
 * connection's event loop; the monitor of this object orders them.
 */
final class StatusFeed {

    private final Function<StatusEvent, Uni<Void>> sender;
    private final Runnable close;
    private final int maxPendingRuns;
    private final Deque<StatusEvent> snapshot = new ArrayDeque<>();
    private final LinkedHashMap<String, StatusEvent> pending = new LinkedHashMap<>();
    private final Map<String, Long> latestSeq = new HashMap<>();
    private boolean snapshotIn;
    private boolean sending;
    private boolean closed;
    private long dropped;

    StatusFeed(Function<StatusEvent, Uni<Void>> sender, Runnable close, int maxPendingRuns) {
        this.sender = sender;
        this.close = close;
        this.maxPendingRuns = maxPendingRuns;
    }

    /** A live event; kept until the snapshot is sent, then sent after it if it is newer. */
    synchronized void offer(StatusEvent event) {
        if (closed || !newer(event)) {
            return;
        }
        latestSeq.put(event.runId(), event.seq());
        if (pending.remove(event.runId()) != null) {
            dropped++;
        }
        pending.put(event.runId(), event);
        if (pending.size() > maxPendingRuns && !dropOldestProgress()) {
            // every waiting event is a final state: none may be dropped, so the client starts over from a snapshot
            closed = true;
            close.run();
            return;
        }
        pump();
    }

    /** The current state, read after this feed began to receive live events; sent before any of them. */
    synchronized void snapshot(List<StatusEvent> states) {
        for (StatusEvent state : states) {
            StatusEvent live = pending.get(state.runId());
            if (live != null && live.seq() <= state.seq()) {
                pending.remove(state.runId());
            }
            if (live == null || live.seq() <= state.seq()) {
                latestSeq.put(state.runId(), state.seq());
            }
            snapshot.add(state);
        }
        snapshotIn = true;
        pump();
    }

    synchronized void closed() {
        closed = true;
        pending.clear();
        snapshot.clear();
    }

    /** Intermediate events this client never got because a later one replaced them. */
    synchronized long dropped() {
        return dropped;
    }

    /** Runs whose latest event waits for this client. */
    synchronized int waiting() {
        return pending.size() + snapshot.size();
    }

    private boolean newer(StatusEvent event) {
        Long latest = latestSeq.get(event.runId());
        return latest == null || event.seq() > latest;
    }

    private boolean dropOldestProgress() {
        for (Iterator<StatusEvent> it = pending.values().iterator(); it.hasNext(); ) {
            if (!it.next().status().isFinal()) {
                it.remove();
                dropped++;
                return true;
            }
        }
        return false;
    }

    private void pump() {
        if (!snapshotIn || sending || closed) {
            return;
        }
        StatusEvent next = snapshot.poll();
        if (next == null) {
            Iterator<StatusEvent> it = pending.values().iterator();
            if (!it.hasNext()) {
                return;
            }
            next = it.next();
            it.remove();
        }
        sending = true;
        sender.apply(next).subscribe().with(ignored -> sent(), failure -> {
            synchronized (this) {
                closed = true;
            }
            close.run();
        });
    }

    private synchronized void sent() {
        sending = false;
        pump();
    }
}
