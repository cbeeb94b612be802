package dev.batchwise.batch;

import dev.batchwise.llm.Provider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;

/**
 * {@code batchwise.batch.jobs}: jobs done, by provider and end status; {@code batchwise.batch.poll}: the latency of
 * the provider's batch status call, by provider and outcome. Labels are closed sets, never a job or batch id.
 */
@ApplicationScoped
class BatchMetrics {

    private final MeterRegistry registry;

    BatchMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void jobDone(Provider provider, JobStatus status) {
        registry.counter("batchwise.batch.jobs", "provider", provider.wireName(),
                "status", status.name().toLowerCase(Locale.ROOT)).increment();
    }

    Timer.Sample pollStarted() {
        return Timer.start(registry);
    }

    void polled(Timer.Sample sample, Provider provider, boolean ok) {
        sample.stop(Timer.builder("batchwise.batch.poll").tags("provider", provider.wireName(),
                "outcome", ok ? "ok" : "error").publishPercentileHistogram(false).register(registry));
    }
}
