package ai.universal.edge.plugins;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's metrics in Prometheus text format, named as Kong's prometheus plugin names them
 * ({@code kong_http_requests_total}, {@code kong_request_latency_ms}, {@code kong_upstream_latency_ms},
 * {@code kong_kong_latency_ms}, {@code kong_bandwidth_bytes}) plus the local edge's own
 * ({@code local_edge_rate_limiting_store_errors_total}, {@code local_edge_config_reloads_total}). Lives as long as
 * the edge, across config reloads; served on the admin port only.
 */
public final class EdgeMetrics {
    /** Kong's default latency buckets (ms). */
    private static final double[] BUCKETS = {1, 2, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400,
            500, 1000, 2000, 5000, 10000, 30000, 60000};

    private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Histogram>> histograms = new ConcurrentHashMap<>();
    private final Map<String, String> help = new ConcurrentSkipListMap<>();

    private static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final LongAdder sum = new LongAdder();

        private Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        private void observe(long value) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (value <= BUCKETS[i]) {
                    buckets[i].increment();
                }
            }
            count.increment();
            sum.add(value);
        }
    }

    /**
     * Add to a counter.
     *
     * @param name   metric name
     * @param help   help text
     * @param labels label pairs (name, value, name, value, ...)
     * @param amount amount
     */
    public void count(String name, String help, List<String> labels, long amount) {
        this.help.putIfAbsent(name, help + "|counter");
        counters.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(labelText(labels), l -> new LongAdder()).add(amount);
    }

    /**
     * Observe a latency.
     *
     * @param name   metric name
     * @param help   help text
     * @param labels label pairs
     * @param ms     milliseconds
     */
    public void observe(String name, String help, List<String> labels, long ms) {
        this.help.putIfAbsent(name, help + "|histogram");
        histograms.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(labelText(labels), l -> new Histogram()).observe(ms);
    }

    /**
     * Current value of a counter (tests, status).
     *
     * @param name   metric name
     * @param labels label pairs
     * @return value, 0 when never counted
     */
    public long counterValue(String name, List<String> labels) {
        Map<String, LongAdder> series = counters.get(name);
        LongAdder adder = series == null ? null : series.get(labelText(labels));
        return adder == null ? 0 : adder.sum();
    }

    /**
     * Exposition in Prometheus text format 0.0.4.
     *
     * @return text
     */
    public String scrape() {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("# HELP kong_datastore_reachable Datastore reachable from Kong, 0 is unreachable\n")
                .append("# TYPE kong_datastore_reachable gauge\nkong_datastore_reachable 1\n");
        for (Map.Entry<String, String> e : help.entrySet()) {
            String name = e.getKey();
            String[] parts = e.getValue().split("\\|");
            sb.append("# HELP ").append(name).append(' ').append(parts[0]).append('\n');
            sb.append("# TYPE ").append(name).append(' ').append(parts[1]).append('\n');
            if (parts[1].equals("counter")) {
                new ConcurrentSkipListMap<>(counters.getOrDefault(name, Map.of())).forEach((labels, v) ->
                        sb.append(name).append(labels.isEmpty() ? "" : "{" + labels + "}").append(' ').append(v.sum())
                                .append('\n'));
            } else {
                new ConcurrentSkipListMap<>(histograms.getOrDefault(name, Map.of())).forEach((labels, h) -> {
                    String prefix = labels.isEmpty() ? "" : labels + ",";
                    for (int i = 0; i < BUCKETS.length; i++) {
                        sb.append(name).append("_bucket{").append(prefix).append("le=\"")
                                .append(String.format("%05d.0", (long) BUCKETS[i])).append("\"} ")
                                .append(h.buckets[i].sum()).append('\n');
                    }
                    sb.append(name).append("_bucket{").append(prefix).append("le=\"+Inf\"} ").append(h.count.sum())
                            .append('\n');
                    String braces = labels.isEmpty() ? "" : "{" + labels + "}";
                    sb.append(name).append("_count").append(braces).append(' ').append(h.count.sum()).append('\n');
                    sb.append(name).append("_sum").append(braces).append(' ').append(h.sum.sum()).append('\n');
                });
            }
        }
        return sb.toString();
    }

    private static String labelText(List<String> labels) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < labels.size(); i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            String value = labels.get(i + 1) == null ? "" : labels.get(i + 1);
            sb.append(labels.get(i)).append("=\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"")
                                                               .replace("\n", "\\n")).append('"');
        }
        return sb.toString();
    }
}
