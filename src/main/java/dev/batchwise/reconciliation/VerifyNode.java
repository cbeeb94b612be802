package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.messaging.InvalidRecordException;
import dev.batchwise.messaging.JsonRecords;
import dev.batchwise.status.RunSnapshots;
import dev.batchwise.status.StatusPublisher;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Intake of {@code atoms.inferred}: stores the run and its atoms once (a redelivered record changes
 * nothing) and announces the run's status. The record is acknowledged only after both, so a crash in
 * between means a redelivery, never a lost run.
 */
@ApplicationScoped
public class VerifyNode {

    public static final String CHANNEL = "atoms-inferred-in";

    private final JsonRecords records;
    private final RunSnapshots snapshots;
    private final StatusPublisher status;

    VerifyNode(JsonRecords records, RunSnapshots snapshots, StatusPublisher status) {
        this.records = records;
        this.snapshots = snapshots;
        this.status = status;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onAtomsInferred(String value) {
        return Uni.createFrom().item(() -> parse(value))
                .flatMap(intake -> Panache.withTransaction(() -> store(intake))
                        .flatMap(stored -> snapshots.current(intake.event().runId())))
                .flatMap(status::publish);
    }

    private Intake parse(String value) {
        JsonNode tree = records.tree(value);
        AtomsInferred event = records.read(tree, AtomsInferred.class);
        Set<String> seen = new HashSet<>();
        for (AtomsInferred.InferredAtom atom : event.atoms()) {
            if (!seen.add(atom.tempId())) {
                throw new InvalidRecordException("atoms: tempId '" + atom.tempId() + "' appears more than once");
            }
        }
        return new Intake(event, tree.get("atoms"));
    }

    private Uni<Boolean> store(Intake intake) {
        AtomsInferred event = intake.event();
        return ReconciliationRun.<ReconciliationRun>findById(event.runId()).flatMap(existing -> {
            if (existing != null) {
                Log.infof("run=%s already received (%d atoms); record ignored", event.runId(), existing.atomCount);
                return Uni.createFrom().item(false);
            }
            Instant now = Instant.now();
            List<Atom> atoms = new ArrayList<>(event.atoms().size());
            for (int i = 0; i < event.atoms().size(); i++) {
                atoms.add(Atom.of(event.runId(), event.atoms().get(i), intake.atomsJson().get(i), now));
            }
            return ReconciliationRun.received(event, now).persist()
                    .flatMap(run -> Atom.persist(atoms))
                    .invoke(() -> Log.infof("run=%s received with %d atoms", event.runId(), atoms.size()))
                    .replaceWith(true);
        });
    }

    private record Intake(AtomsInferred event, JsonNode atomsJson) {
    }
}
