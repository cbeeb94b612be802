package dev.batchwise.simulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The built-in provider simulator: on in dev, test and demo, off in prod. */
@ConfigMapping(prefix = "batchwise.simulator")
public interface SimulatorConfig {

    /** Serve the simulated provider APIs under /sim and use them for providers without a key. */
    @WithDefault("true")
    boolean enabled();
}
