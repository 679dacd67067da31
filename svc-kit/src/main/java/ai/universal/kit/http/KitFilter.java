package ai.universal.kit.http;

import java.util.HashMap;
import java.util.Map;

import ai.universal.kit.observe.RouteMetrics;
import ai.universal.kit.observe.Tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.logging.common.HelidonMdc;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Runs around every request: takes the request id from {@code Kong-Request-ID} / {@code X-Request-Id} (or makes
 * one), echoes it and puts it in the log context; opens a server span continuing the caller's {@code traceparent};
 * records the per-route metrics when the response is done.
 */
public final class KitFilter implements Filter {
    /** Kong's correlation-id header. */
    public static final HeaderName KONG_REQUEST_ID = HeaderNames.create("Kong-Request-ID");
    /** The conventional request id header. */
    public static final HeaderName X_REQUEST_ID = HeaderNames.create("X-Request-Id");
    private static final HeaderName API_KEY = HeaderNames.create("api-key");

    private final Tracing tracing;
    private final RouteMetrics metrics;

    /**
     * Create.
     *
     * @param tracing tracing
     * @param metrics route metrics
     */
    public KitFilter(Tracing tracing, RouteMetrics metrics) {
        this.tracing = tracing;
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        var headers = req.headers();
        String incoming = headers.first(KONG_REQUEST_ID).orElseGet(() -> headers.first(X_REQUEST_ID).orElse(null));
        String requestId = RequestContext.requestId(incoming);
        RequestContext ctx = new RequestContext(requestId, headers.first(HeaderNames.AUTHORIZATION).orElse(null),
                                                headers.first(API_KEY).orElse(null));
        req.context().register(RequestContext.class, ctx);
        res.header(X_REQUEST_ID, requestId);
        if (headers.contains(KONG_REQUEST_ID)) {
            res.header(KONG_REQUEST_ID, requestId);
        }
        Map<String, String> trace = new HashMap<>(2);
        headers.first(HeaderNames.create("traceparent")).ifPresent(v -> trace.put("traceparent", v));
        headers.first(HeaderNames.create("tracestate")).ifPresent(v -> trace.put("tracestate", v));
        String method = req.prologue().method().text();
        Span span = tracing.tracer().spanBuilder(method)
                .setParent(trace.isEmpty() ? Context.root() : Tracing.extract(trace))
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", method)
                .setAttribute("url.path", req.path().rawPath())
                .setAttribute("request.id", requestId)
                .startSpan();
        RequestContext.bind(ctx);
        HelidonMdc.set("requestId", requestId);
        try (Scope ignored = span.makeCurrent()) {
            chain.proceed();
        } finally {
            String route = req.matchingPattern().orElse("unmatched");
            int status = res.status().code();
            span.updateName(method + " " + route);
            span.setAttribute("http.route", route);
            span.setAttribute("http.response.status_code", status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
            metrics.record(method, route, status, System.nanoTime() - start);
            HelidonMdc.remove("requestId");
            RequestContext.unbind();
        }
    }
}
