package ai.universal.kit.observe;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

/**
 * OpenTelemetry for one service: W3C {@code traceparent} propagation always (so a trace crosses services even when
 * this one does not export), spans exported over OTLP/HTTP only when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set.
 */
public final class Tracing implements AutoCloseable {
    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final boolean exporting;

    /**
     * Create tracing for a service.
     *
     * @param serviceName   service name resource attribute
     * @param otlpEndpoint  OTLP/HTTP base endpoint, e.g. {@code http://otel-collector:4318}, or null/blank for none
     */
    public Tracing(String serviceName, String otlpEndpoint) {
        io.opentelemetry.sdk.trace.SdkTracerProviderBuilder provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), serviceName))));
        this.exporting = otlpEndpoint != null && !otlpEndpoint.isBlank();
        if (exporting) {
            String endpoint = otlpEndpoint.replaceAll("/+$", "");
            if (!endpoint.endsWith("/v1/traces")) {
                endpoint = endpoint + "/v1/traces";
            }
            provider.addSpanProcessor(BatchSpanProcessor.builder(
                    OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build()).build());
        }
        this.sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(provider.build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        this.tracer = sdk.getTracer("ai.universal.kit");
    }

    /**
     * The tracer.
     *
     * @return tracer
     */
    public Tracer tracer() {
        return tracer;
    }

    /**
     * The OpenTelemetry API instance.
     *
     * @return otel
     */
    public OpenTelemetry openTelemetry() {
        return sdk;
    }

    /**
     * Whether spans leave the process.
     *
     * @return true when an OTLP endpoint is configured
     */
    public boolean exporting() {
        return exporting;
    }

    /**
     * The context described by incoming headers (lower-case names).
     *
     * @param headers headers
     * @return extracted context (root when there is none)
     */
    public static Context extract(Map<String, String> headers) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, MAP_GETTER);
    }

    /**
     * Add the current context's {@code traceparent} (and {@code tracestate}) to outgoing headers.
     *
     * @param headers headers to add to
     */
    public static void inject(Map<String, String> headers) {
        W3CTraceContextPropagator.getInstance().inject(Context.current(), headers, Map::put);
    }

    @Override
    public void close() {
        sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
    }
}
