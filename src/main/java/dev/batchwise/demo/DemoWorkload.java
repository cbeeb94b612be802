package dev.batchwise.demo;

import dev.batchwise.reconciliation.AtomsInferred;
import dev.batchwise.reconciliation.AtomsInferred.InferredAtom;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import dev.batchwise.reconciliation.RunPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays the upstream pipeline for the demo: publishes one run of synthetic atoms on
 * {@code atoms.inferred}, through Kafka like any producer (in parts, as {@code POST /api/runs} does), once the
 * service has started.
 */
@ApplicationScoped
class DemoWorkload {

    private static final String[] ACTORS = {"A user", "An admin", "A reviewer", "The scheduler", "An API client"};
    private static final String[] ACTIONS = {
        "can reset a password through an emailed link that expires after 30 minutes",
        "sees an error naming the field when a form is submitted with an invalid date",
        "can export the current report as CSV with the same columns as the table",
        "is logged out after 15 minutes without activity",
        "receives at most one notification per event, even when the event is retried",
        "can undo the last change to a record",
    };
    private static final String[] CATEGORIES = {"functional", "security", "performance", "ux"};

    private final DemoConfig config;
    private final RunPublisher publisher;

    DemoWorkload(DemoConfig config, RunPublisher publisher) {
        this.config = config;
        this.publisher = publisher;
    }

    void publish(@Observes StartupEvent ignored) {
        if (config.runAtoms() == 0) {
            return;
        }
        AtomsInferred run = demoRun("demo-" + Instant.now().getEpochSecond(), config.runAtoms());
        publisher.publish(run).subscribe().with(
                parts -> Log.infof("run=%s demo run of %d atoms published on atoms.inferred in %d part%s", run.runId(),
                        run.atoms().size(), parts, parts == 1 ? "" : "s"),
                failure -> Log.errorf(failure, "run=%s demo run could not be published", run.runId()));
    }

    static AtomsInferred demoRun(String runId, int size) {
        List<InferredAtom> atoms = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            atoms.add(new InferredAtom("atom-" + (i + 1),
                    ACTORS[i % ACTORS.length] + " " + ACTIONS[(i / ACTORS.length) % ACTIONS.length] + ".",
                    CATEGORIES[i % CATEGORIES.length]));
        }
        return AtomsInferred.whole(runId, atoms, null);
    }
}
