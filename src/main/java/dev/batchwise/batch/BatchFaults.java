package dev.batchwise.batch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Faults injected on purpose, for the crash tests of the packaged service: each halts the JVM (as a kill -9
 * would: no shutdown hooks, nothing flushed) or stalls it at the exact point where a crash is hardest to
 * recover from. All off by default; never set them in production.
 */
@ConfigMapping(prefix = "batchwise.faults")
public interface BatchFaults {

    /** Halt right after a provider accepted a batch, before its id is stored. */
    @WithDefault("false")
    boolean haltAfterProviderAccept();

    /** Stop collecting for good after this many result chunks were applied (0 = never), to be killed then. */
    @WithDefault("0")
    int stallAfterCollectedChunks();
}
