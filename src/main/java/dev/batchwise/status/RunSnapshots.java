package dev.batchwise.status;

import io.smallrye.mutiny.Uni;

/** The current status of a run, read from where runs are stored; implemented by the reconciliation feature. */
public interface RunSnapshots {

    /** The run's current status, or a null item when no such run exists. */
    Uni<StatusEvent> current(String runId);
}
