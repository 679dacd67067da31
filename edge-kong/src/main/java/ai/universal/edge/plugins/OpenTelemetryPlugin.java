package ai.universal.edge.plugins;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * opentelemetry with W3C trace context: takes the client's {@code traceparent} (or starts a trace), sends upstream a
 * {@code traceparent} whose parent is the edge's span, optionally returns the trace id in
 * {@code http_response_header_for_traceid}, and exports the edge's span to {@code traces_endpoint} (OTLP/HTTP) when
 * sampled ({@code sampling_rate}, default 0.01 as Kong's tracing_sampling_rate; a sampled parent is followed).
 */
public final class OpenTelemetryPlugin implements EdgePlugin {
    private static final Pattern TRACEPARENT = Pattern.compile("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SPAN = "otel-span";

    private final OtlpSpanExporter exporter;
    private final double samplingRate;
    private final boolean extract;
    private final boolean inject;
    private final String traceIdHeader;

    private record Span(String traceId, String spanId, String parentSpanId, boolean sampled, long startEpochNanos) {
    }

    /**
     * Create from config.
     *
     * @param config   normalized config
     * @param exporter exporter for traces_endpoint, or null when none is set
     */
    public OpenTelemetryPlugin(PluginConfig config, OtlpSpanExporter exporter) {
        this.exporter = exporter;
        this.samplingRate = config.num("sampling_rate") == null ? 0.01 : config.num("sampling_rate");
        PluginConfig propagation = config.rec("propagation");
        List<String> extractFormats = propagation.list("extract");
        List<String> injectFormats = propagation.list("inject");
        String headerType = config.str("header_type");
        this.extract = !"ignore".equals(headerType) && (extractFormats.isEmpty() || extractFormats.contains("w3c"));
        this.inject = injectFormats.isEmpty() || injectFormats.contains("w3c") || injectFormats.contains("preserve");
        this.traceIdHeader = config.str("http_response_header_for_traceid");
    }

    @Override
    public String name() {
        return "opentelemetry";
    }

    @Override
    public int priority() {
        return 14;
    }

    @Override
    public Optional<EdgeResponse> access(Exchange exchange) {
        String traceId = null;
        String parent = null;
        boolean sampled;
        String incoming = extract ? exchange.header("traceparent") : null;
        var m = incoming == null ? null : TRACEPARENT.matcher(incoming.trim());
        if (m != null && m.matches() && !m.group(1).equals("0".repeat(32))) {
            traceId = m.group(1);
            parent = m.group(2);
            sampled = (Integer.parseInt(m.group(3), 16) & 1) == 1;
        } else {
            sampled = RANDOM.nextDouble() < samplingRate;
        }
        if (traceId == null) {
            traceId = hex(16);
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        Span span = new Span(traceId, hex(8), parent, sampled, now);
        exchange.attributes().put(SPAN, span);
        if (inject) {
            exchange.setUpstreamHeader("traceparent", "00-" + traceId + "-" + span.spanId() + "-" + (sampled ? "01" : "00"));
        }
        return Optional.empty();
    }

    @Override
    public void headerFilter(Exchange exchange) {
        if (traceIdHeader != null && exchange.attributes().get(SPAN) instanceof Span span) {
            exchange.setDownstreamHeader(traceIdHeader, span.traceId());
        }
    }

    @Override
    public void log(Exchange exchange) {
        if (exporter == null || !(exchange.attributes().get(SPAN) instanceof Span span) || !span.sampled()) {
            return;
        }
        long end = System.currentTimeMillis() * 1_000_000L;
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"traceId\":\"").append(span.traceId()).append("\",\"spanId\":\"").append(span.spanId()).append('"');
        if (span.parentSpanId() != null) {
            sb.append(",\"parentSpanId\":\"").append(span.parentSpanId()).append('"');
        }
        sb.append(",\"name\":").append(Json.quote("kong" + (exchange.route() != null && exchange.route().name() != null
                ? " " + exchange.route().name() : "")));
        sb.append(",\"kind\":2,\"startTimeUnixNano\":\"").append(span.startEpochNanos()).append("\",\"endTimeUnixNano\":\"")
                .append(end).append("\",\"attributes\":[");
        attr(sb, "http.method", exchange.method(), true);
        attr(sb, "http.route", exchange.path(), false);
        attr(sb, "net.peer.ip", exchange.clientIp(), false);
        attr(sb, "kong.request.id", exchange.requestId(), false);
        sb.append(",{\"key\":\"http.status_code\",\"value\":{\"intValue\":\"").append(exchange.status()).append("\"}}");
        sb.append("],\"status\":{\"code\":").append(exchange.status() >= 500 ? 2 : 0).append("}}");
        exporter.offer(sb.toString());
    }

    private static void attr(StringBuilder sb, String key, String value, boolean first) {
        sb.append(first ? "" : ",").append("{\"key\":").append(Json.quote(key)).append(",\"value\":{\"stringValue\":")
                .append(Json.quote(value == null ? "" : value)).append("}}");
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
