package dev.batchwise.llm.realtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

/**
 * The real-time path's circuit breaker, one per provider. It judges requests after their retries, so one
 * "failure" here is a request that failed every attempt.
 */
@ConfigMapping(prefix = "llm.realtime.circuit-breaker")
public interface RealtimeBreakerConfig {

    /** Requests (each after its retries) in the rolling window that the breaker judges. */
    @WithDefault("10")
    @Min(1)
    int requestVolumeThreshold();

    /** Share of failed requests in a full window that opens the breaker (0..1). */
    @WithDefault("0.5")
    @DecimalMin("0")
    @DecimalMax("1")
    double failureRatio();

    /** How long an open breaker refuses calls before it lets a probe through, in milliseconds. */
    @WithDefault("30000")
    @Min(1)
    long delayMs();

    /** Successful probes that close a half-open breaker. */
    @WithDefault("2")
    @Min(1)
    int successThreshold();
}
