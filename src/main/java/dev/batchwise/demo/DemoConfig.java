package dev.batchwise.demo;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** The demo workload of the README's run command ({@code DEMO_RUN_ATOMS} in the demo profile). */
@ConfigMapping(prefix = "batchwise.demo")
public interface DemoConfig {

    /** Atoms of the demo run published on atoms.inferred (in parts) once the service is up; 0 publishes nothing. */
    @WithDefault("0")
    @Min(0)
    @Max(100_000)
    int runAtoms();
}
