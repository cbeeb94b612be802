package dev.batchwise.status;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The current status of runs, read from where runs are stored; implemented by the reconciliation feature. */
public interface RunSnapshots {

    /** The run's current status, or a null item when no such run exists. */
    Uni<StatusEvent> current(String runId);

    /** The current status of the runs a client of every run sees first: those under way and lately ended. */
    Multi<StatusEvent> recent();
}
