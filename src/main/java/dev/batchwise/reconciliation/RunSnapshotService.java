package dev.batchwise.reconciliation;

import dev.batchwise.status.BatchProgress;
import dev.batchwise.status.RunSnapshots;
import dev.batchwise.status.StatusEvent;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** A run's status event, built from what is stored, so it is the same after any restart. */
@ApplicationScoped
public class RunSnapshotService implements RunSnapshots {

    @Override
    @WithSession
    public Uni<StatusEvent> current(String runId) {
        return ReconciliationRun.<ReconciliationRun>findById(runId)
                .map(run -> run == null ? null : new StatusEvent(run.runId, run.status, BatchProgress.NONE, null,
                        run.updatedAt == null ? Instant.now() : run.updatedAt));
    }
}
