package dev.batchwise.reconciliation;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * How Batchwise itself publishes a run on {@code atoms.inferred} ({@code POST /api/runs}, the demo): in parts of at
 * most {@link #partMaxAtoms()} atoms and {@link #partMaxBytes()} bytes of JSON each. A Kafka record is limited to
 * 1 MiB by default (the producer's {@code max.request.size}, counted before compression, and the broker's
 * {@code message.max.bytes}), and users' brokers keep that default: half of it leaves room for headers, batch
 * overhead and a cluster set a little lower.
 */
@ConfigMapping(prefix = "batchwise.intake")
public interface IntakeConfig {

    /** Atoms per part at most. */
    @WithDefault("5000")
    @Min(1)
    @Max(100_000)
    int partMaxAtoms();

    /** Serialized bytes per part at most (the record value, UTF-8 JSON); 512 KiB by default. */
    @WithDefault("524288")
    @Min(1024)
    @Max(900 * 1024)
    int partMaxBytes();
}
