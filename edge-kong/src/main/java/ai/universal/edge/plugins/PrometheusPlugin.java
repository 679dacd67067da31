package ai.universal.edge.plugins;

import java.util.List;
import java.util.Map;

/**
 * prometheus: counts and times every request it applies to into {@link EdgeMetrics}, with Kong's metric names and
 * labels; which families are recorded follows {@code status_code_metrics}, {@code latency_metrics},
 * {@code bandwidth_metrics} and {@code per_consumer}. Metrics are served on the admin port, never on the proxy port.
 */
public final class PrometheusPlugin implements EdgePlugin {
    private final EdgeMetrics metrics;
    private final boolean perConsumer;
    private final boolean statusCodes;
    private final boolean latency;
    private final boolean bandwidth;
    private final Map<String, String> serviceNames;
    private final Map<String, String> routeNames;

    /**
     * Create from config.
     *
     * @param config       normalized config
     * @param metrics      the edge's registry
     * @param serviceNames service id to name
     * @param routeNames   route id to name
     */
    public PrometheusPlugin(PluginConfig config, EdgeMetrics metrics, Map<String, String> serviceNames,
                            Map<String, String> routeNames) {
        this.metrics = metrics;
        this.perConsumer = config.bool("per_consumer");
        this.statusCodes = config.bool("status_code_metrics");
        this.latency = config.bool("latency_metrics");
        this.bandwidth = config.bool("bandwidth_metrics");
        this.serviceNames = serviceNames;
        this.routeNames = routeNames;
    }

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public int priority() {
        return 13;
    }

    @Override
    public void log(Exchange exchange) {
        String service = exchange.service() == null ? "" : serviceNames.getOrDefault(exchange.service().id(), "");
        String route = exchange.route() == null ? "" : routeNames.getOrDefault(exchange.route().id(), "");
        String consumer = perConsumer && exchange.consumer() != null
                ? (exchange.consumer().username() != null ? exchange.consumer().username() : exchange.consumer().id()) : "";
        if (statusCodes) {
            metrics.count("kong_http_requests_total", "HTTP status codes per consumer/service/route in Kong",
                          List.of("service", service, "route", route, "code", String.valueOf(exchange.status()),
                                  "source", exchange.source(), "workspace", "default", "consumer", consumer), 1);
        }
        if (latency) {
            List<String> labels = List.of("service", service, "route", route, "workspace", "default");
            long total = (System.nanoTime() - exchange.startNanos()) / 1_000_000;
            metrics.observe("kong_request_latency_ms", "Total latency incurred during requests for each service/route "
                    + "in Kong", labels, total);
            if (exchange.upstreamLatencyMs() >= 0) {
                metrics.observe("kong_upstream_latency_ms", "Latency added by upstream response for each service/route "
                        + "in Kong", labels, exchange.upstreamLatencyMs());
            }
            if (exchange.proxyLatencyMs() >= 0) {
                metrics.observe("kong_kong_latency_ms", "Latency added by Kong and enabled plugins for each "
                        + "service/route in Kong", labels, exchange.proxyLatencyMs());
            }
        }
        if (bandwidth) {
            metrics.count("kong_bandwidth_bytes", "Total bandwidth (ingress/egress) throughput in bytes",
                          List.of("service", service, "route", route, "direction", "ingress", "workspace", "default",
                                  "consumer", consumer), exchange.bytesIn());
            metrics.count("kong_bandwidth_bytes", "Total bandwidth (ingress/egress) throughput in bytes",
                          List.of("service", service, "route", route, "direction", "egress", "workspace", "default",
                                  "consumer", consumer), exchange.bytesOut());
        }
    }
}
