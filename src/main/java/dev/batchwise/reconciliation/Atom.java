package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One inferred atom of a run, unique per (run, tempId), with its quality score once scored. */
@Entity
@Table(name = "atoms")
public class Atom extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "run_id")
    public String runId;

    @Column(name = "temp_id")
    public String tempId;

    public String description;

    public String category;

    /** The atom as the producer sent it. */
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode payload;

    /** 0-100, a sorting signal for reviewers, never a gate; null until scored. */
    @Column(name = "quality_score")
    public Integer qualityScore;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    static Atom of(String runId, AtomsInferred.InferredAtom inferred, JsonNode payload, Instant now) {
        Atom atom = new Atom();
        atom.id = UUID.randomUUID();
        atom.runId = runId;
        atom.tempId = inferred.tempId();
        atom.description = inferred.description();
        atom.category = inferred.category();
        atom.payload = payload;
        atom.createdAt = now;
        atom.updatedAt = now;
        return atom;
    }
}
