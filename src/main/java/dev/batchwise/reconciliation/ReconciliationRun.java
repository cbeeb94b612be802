package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchwise.status.RunStatus;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A reconciliation run: the atoms of one {@code atoms.inferred} record and where their scoring is. */
@Entity
@Table(name = "reconciliation_runs")
public class ReconciliationRun extends PanacheEntityBase {

    /** Whether a run's atoms go through a provider batch or the real-time path. */
    public enum Mode { BATCH, REALTIME }

    @Id
    @Column(name = "run_id")
    public String runId;

    @Enumerated(EnumType.STRING)
    public RunStatus status;

    @Enumerated(EnumType.STRING)
    public Mode mode;

    @Column(name = "mode_reason")
    public String modeReason;

    /** ANTHROPIC or OPENAI. */
    public String provider;

    @Column(name = "atom_count")
    public int atomCount;

    /** The producer's options for the run, kept as sent. */
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode options;

    public String error;

    @Column(name = "received_at")
    public Instant receivedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Column(name = "completed_at")
    public Instant completedAt;
}
