package dev.batchwise.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;
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

    /** A JSON array of strings, read as text: Hibernate Reactive's JSON type maps objects, not arrays. */
    @Column(name = "quality_issues", insertable = false, updatable = false)
    @ColumnTransformer(read = "quality_issues::text")
    public String qualityIssues;

    /** BATCH, REALTIME, UNPARSEABLE (the answer could not be read) or FAILED (the call failed for good). */
    @Column(name = "score_source")
    public String scoreSource;

    @Column(name = "parse_issue")
    public String parseIssue;

    /** Why the call failed, for FAILED atoms. */
    public String error;

    @Column(name = "scored_at")
    public Instant scoredAt;

    /** BATCH or REALTIME: the price the answer was billed at; null when nothing was answered. */
    @Column(name = "answer_mode", insertable = false, updatable = false)
    public String answerMode;

    /** The model the request used; null until answered. */
    @Column(insertable = false, updatable = false)
    public String model;

    /** The usage the provider reported for the answer (written with the score, read here for its cost). */
    @Column(name = "input_tokens", insertable = false, updatable = false)
    public long inputTokens;

    @Column(name = "output_tokens", insertable = false, updatable = false)
    public long outputTokens;

    @Column(name = "cache_creation_tokens", insertable = false, updatable = false)
    public long cacheCreationTokens;

    @Column(name = "cache_read_tokens", insertable = false, updatable = false)
    public long cacheReadTokens;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
