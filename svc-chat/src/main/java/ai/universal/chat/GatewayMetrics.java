package ai.universal.chat;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;

/**
 * Per-deployment upstream metrics on /metrics, read from {@link DeploymentHealth} when scraped:
 * {@code chat_upstream_requests_total}, {@code chat_upstream_errors_total}, {@code chat_upstream_cooldowns_total},
 * {@code chat_upstream_tokens_total{type=prompt|completion}}, {@code chat_upstream_latency_seconds_total},
 * {@code chat_upstream_in_flight}, {@code chat_upstream_latency_ewma_ms}, {@code chat_upstream_ttft_ewma_ms} and
 * {@code chat_upstream_circuit_state} (0 closed, 1 half-open, 2 open), each tagged with deployment and provider.
 */
final class GatewayMetrics {
    private final MeterRegistry registry = Metrics.globalRegistry();
    private final Clock clock;

    GatewayMetrics(Clock clock) {
        this.clock = clock;
    }

    void register(DeploymentHealth h) {
        Deployment d = h.deployment();
        List<Tag> tags = List.of(Tag.create("deployment", d.id()), Tag.create("provider", d.provider().kind()));
        counter("chat.upstream.requests", tags, h, DeploymentHealth::requests);
        counter("chat.upstream.errors", tags, h, DeploymentHealth::errors);
        counter("chat.upstream.cooldowns", tags, h, DeploymentHealth::cooldowns);
        counter("chat.upstream.tokens", with(tags, "type", "prompt"), h, DeploymentHealth::promptTokens);
        counter("chat.upstream.tokens", with(tags, "type", "completion"), h, DeploymentHealth::completionTokens);
        gauge("chat.upstream.latency.seconds.total", tags, h, DeploymentHealth::latencySecondsTotal);
        gauge("chat.upstream.in.flight", tags, h, DeploymentHealth::inFlight);
        gauge("chat.upstream.latency.ewma.ms", tags, h, x -> Math.max(0, x.latencyMs(false)));
        gauge("chat.upstream.ttft.ewma.ms", tags, h, x -> Math.max(0, x.latencyMs(true)));
        gauge("chat.upstream.circuit.state", tags, h, x -> switch (x.state(clock.instant())) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        });
    }

    private static List<Tag> with(List<Tag> tags, String key, String value) {
        return java.util.stream.Stream.concat(tags.stream(), java.util.stream.Stream.of(Tag.create(key, value))).toList();
    }

    private void counter(String name, List<Tag> tags, DeploymentHealth h, Function<DeploymentHealth, Long> value) {
        registry.getOrCreate(FunctionalCounter.builder(name, h, value).scope("vendor").tags(tags));
    }

    private void gauge(String name, List<Tag> tags, DeploymentHealth h, ToDoubleFunction<DeploymentHealth> value) {
        registry.getOrCreate(Gauge.builder(name, h, value).scope("vendor").tags(tags));
    }
}
