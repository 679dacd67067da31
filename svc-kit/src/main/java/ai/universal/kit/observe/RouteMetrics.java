package ai.universal.kit.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * Per-route request counts and latency histograms ({@code http_server_requests_seconds_*} in Prometheus text),
 * tagged with service, method, route template (never the raw path, so ids do not explode the series) and status.
 */
public final class RouteMetrics {
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
    };

    private final String service;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /**
     * Create for a service, in the global registry that /metrics serves.
     *
     * @param service service name
     */
    public RouteMetrics(String service) {
        this.service = service;
        this.registry = Metrics.globalRegistry();
    }

    /**
     * Record one request.
     *
     * @param method HTTP method
     * @param route  route template, or {@code unmatched}
     * @param status response status
     * @param nanos  duration
     */
    public void record(String method, String route, int status, long nanos) {
        String key = method + ' ' + route + ' ' + status;
        Timer timer = timers.computeIfAbsent(key, k -> registry.getOrCreate(
                Timer.builder("http.server.requests")
                        .scope("vendor")
                        .tags(List.of(Tag.create("service", service), Tag.create("method", method),
                                      Tag.create("route", route), Tag.create("status", Integer.toString(status))))
                        .buckets(BUCKETS)));
        timer.record(Duration.ofNanos(nanos));
    }
}
