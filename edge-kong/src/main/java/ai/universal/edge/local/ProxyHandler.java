package ai.universal.edge.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import ai.universal.edge.config.Entities;
import ai.universal.edge.plugins.EdgePlugin;
import ai.universal.edge.plugins.EdgeResponse;
import ai.universal.edge.plugins.Exchange;
import ai.universal.edge.plugins.Json;
import ai.universal.edge.plugins.RequestSizeLimitingPlugin;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The proxy on port 8080: route like Kong, run the route's plugins (access phase), forward the request to the service
 * streaming its body, stream the answer back (flushing as data arrives, so SSE passes through), then run the header
 * and log phases. Answers Kong's 404 when no route matches, 502/504 with Kong's messages when the upstream fails or
 * times out.
 */
final class ProxyHandler implements Handler {
    private static final System.Logger LOGGER = System.getLogger(ProxyHandler.class.getName());
    static final String VIA = "1.1 kong-local-edge";
    static final String SERVER = "kong-local-edge (Kong 3.9 compatible)";
    private static final long SMALL_BODY = 64 * 1024;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
                                                         "transfer-encoding", "upgrade", "proxy-authenticate",
                                                         "proxy-authorization", "expect");
    private static final Set<String> FORWARDED = Set.of("x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
                                                        "x-forwarded-path", "x-forwarded-prefix", "x-real-ip",
                                                        "x-forwarded-for", "host");
    private static final Set<String> SKIP = skipAlways();
    private static final Header VIA_HEADER = HeaderValues.create(HeaderNames.create("Via"), VIA);
    private static final HeaderName UPSTREAM_LATENCY = HeaderNames.create("X-Kong-Upstream-Latency");
    private static final HeaderName PROXY_LATENCY = HeaderNames.create("X-Kong-Proxy-Latency");
    private static final HeaderName REQUEST_ID = HeaderNames.create("X-Kong-Request-Id");
    /** Header names as services send them, resolved once (HeaderNames.create looks each one up in two maps). */
    private static final Map<String, HeaderName> NAMES = new ConcurrentHashMap<>();
    private static final int MAX_NAMES = 4096;

    private final Supplier<EdgeRuntime> runtime;
    private final EdgeResources resources;
    private final Supplier<Integer> listenPort;

    ProxyHandler(Supplier<EdgeRuntime> runtime, EdgeResources resources, Supplier<Integer> listenPort) {
        this.runtime = runtime;
        this.resources = resources;
        this.listenPort = listenPort;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        handle(ProxyIo.of(req), ProxyIo.of(res));
    }

    /**
     * Proxy one request.
     *
     * @param req request
     * @param res its response
     */
    void handle(ProxyIo.Request req, ProxyIo.Response res) {
        long start = System.nanoTime();
        EdgeRuntime rt = runtime.get();
        Exchange exchange = exchange(req, rt, start);
        if (exchange.route() == null) {
            sendEdge(req, res, exchange, rt.globalPlugins(),
                     EdgeResponse.message(404, "no Route matched with those values"));
            return;
        }
        RouteTarget target = (RouteTarget) exchange.attributes().get(RouteTarget.class.getName());
        for (EdgePlugin plugin : target.plugins()) {
            if (plugin.waitsOnNetwork()) {
                res.preferVirtualThread();
                break;
            }
        }
        Optional<EdgeResponse> early = access(exchange, target.plugins());
        if (early.isPresent()) {
            sendEdge(req, res, exchange, target.plugins(), early.get());
            return;
        }
        if (target.service() == null) {
            sendEdge(req, res, exchange, target.plugins(), EdgeResponse.message(503, "no Service found with those values"));
            return;
        }
        proxy(req, res, exchange, target, start);
        // the connection's next request is read right after this returns, and a keep-alive client sends it only once
        // it has this answer: as with the upstream read (UpstreamClient.yieldIfVirtual), let the ready requests run
        // first, so that read mostly finds the request instead of parking for it
        UpstreamClient.yieldIfVirtual();
    }

    /**
     * Build the exchange for a request and find its route (stored under RouteTarget's class name).
     *
     * @param req   request
     * @param rt    runtime
     * @param start arrival time
     * @return exchange
     */
    static Exchange exchange(ProxyIo.Request req, EdgeRuntime rt, long start) {
        String method = req.method();
        String rawPath = req.rawPath();
        String rawQuery = req.rawQuery();
        String host = req.headers().first(HeaderNames.HOST).map(ProxyHandler::stripPort).orElse(null);
        InetSocketAddress remote = req.client();
        String clientIp = remote.getAddress().getHostAddress();
        Router.Match match = rt.router().match(method, host, rawPath);
        Headers headers = req.headers();
        Function<String, List<String>> lookup = name -> {
            var hn = HeaderNames.create(name);
            return headers.contains(hn) ? headers.get(hn).allValues() : List.of();
        };
        Exchange exchange = new Exchange(method, rawPath, rawQuery == null ? "" : rawQuery, host, clientIp,
                                         remote.getAddress().getAddress(), lookup,
                                         match == null ? null : match.target().route(),
                                         match == null ? null : match.target().service(), requestId(), start);
        if (match != null) {
            exchange.attributes().put(RouteTarget.class.getName(), match.target());
            exchange.attributes().put(Router.Match.class.getName(), match);
        }
        exchange.attributes().put(RequestSizeLimitingPlugin.BODY_STREAM,
                                  (Supplier<InputStream>) req::body);
        return exchange;
    }

    /**
     * Check the request's Host header (Helidon's own check is off on the proxy port, see {@link HttpSyntax}); answer
     * 400 and close the connection when it is missing, repeated or malformed.
     *
     * @param req request
     * @param res response
     * @return whether the request may go on
     */
    static boolean hostAccepted(ProxyIo.Request req, ProxyIo.Response res) {
        Headers headers = req.headers();
        List<String> hosts = headers.contains(HeaderNames.HOST) ? headers.get(HeaderNames.HOST).allValues() : List.of();
        if (hosts.size() == 1 && HttpSyntax.validHost(hosts.getFirst())) {
            return true;
        }
        String problem = HttpSyntax.hostProblem(req.http11(), hosts);
        if (problem == null) {
            return true;
        }
        res.status(400);
        res.header(HeaderValues.CONNECTION_CLOSE);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(HeaderValues.create("Server", SERVER));
        res.send(("{\"message\":\"Bad request\",\"detail\":" + Json.quote(problem) + "}").getBytes(StandardCharsets.UTF_8));
        return false;
    }

    /**
     * Add headers a plugin or the configuration set; one that could not be sent as it is (a control character in its
     * value, a name that is no token) is left out and logged, never written into the header block.
     */
    private static void addChecked(ProxyIo.Response res, Map<String, String> headers) {
        headers.forEach((k, v) -> {
            if (HttpSyntax.isToken(k) && HttpSyntax.isFieldValue(v)) {
                res.header(HeaderValues.create(k, v));
            } else {
                LOGGER.log(System.Logger.Level.WARNING, "response header " + Json.quote(k)
                        + " left out: not a valid header name or value");
            }
        });
    }

    static Optional<EdgeResponse> access(Exchange exchange, List<EdgePlugin> plugins) {
        for (EdgePlugin plugin : plugins) {
            Optional<EdgeResponse> r;
            try {
                r = plugin.access(exchange);
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.ERROR, "plugin " + plugin.name() + " failed", e);
                r = Optional.of(EdgeResponse.message(500, "An unexpected error occurred"));
            }
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    /**
     * Send a response the edge made (plugin exit, 404, 502/504), with the header and log phases.
     */
    static void sendEdge(ProxyIo.Request req, ProxyIo.Response res, Exchange exchange, List<EdgePlugin> plugins,
                         EdgeResponse response) {
        byte[] body = response.body();
        if (response.isMessage()) {
            String json = new String(body, StandardCharsets.UTF_8);
            body = (json.substring(0, json.length() - 1) + ",\"request_id\":" + Json.quote(exchange.requestId()) + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        exchange.complete(response.status(), response.source(), contentLength(req), body.length, -1,
                          (System.nanoTime() - exchange.startNanos()) / 1_000_000);
        for (EdgePlugin plugin : plugins) {
            plugin.headerFilter(exchange);
        }
        res.status(response.status());
        addChecked(res, response.headers());
        addChecked(res, exchange.downstreamHeaders());
        res.header(HeaderValues.create("Server", SERVER));
        res.header(HeaderValues.create("X-Kong-Response-Latency", String.valueOf(exchange.proxyLatencyMs())));
        res.header(HeaderValues.create("X-Kong-Request-Id", exchange.requestId()));
        try {
            if (response.status() == 204 || response.status() == 304 || body.length == 0 && response.status() < 300) {
                res.header(HeaderValues.CONTENT_LENGTH_ZERO);
                res.send();
            } else {
                res.send(body);
            }
        } finally {
            log(exchange, plugins);
        }
    }

    static void log(Exchange exchange, List<EdgePlugin> plugins) {
        for (EdgePlugin plugin : plugins) {
            try {
                plugin.log(exchange);
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.WARNING, "plugin " + plugin.name() + " log phase failed", e);
            }
        }
    }

    private void proxy(ProxyIo.Request req, ProxyIo.Response res, Exchange exchange, RouteTarget target, long start) {
        Entities.Service service = target.service();
        Router.Match match = (Router.Match) exchange.attributes().get(Router.Match.class.getName());
        String upstreamTarget = Router.upstreamPath(match, exchange.path())
                + (exchange.rawQuery().isEmpty() ? "" : "?" + exchange.rawQuery());
        byte[] buffered = exchange.bufferedBody();
        boolean hasBody = buffered == null && req.hasEntity();
        long bodyLength = buffered != null ? buffered.length
                : hasBody ? req.headers().contentLength().orElse(-1) : 0;
        UpstreamClient.BodyWriter writer = null;
        if (buffered != null) {
            writer = out -> out.write(buffered);
        } else if (hasBody) {
            writer = out -> {
                // flush per read: the service sees the body as it arrives, nothing is held back
                try (InputStream in = req.body()) {
                    byte[] buffer = new byte[16384];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (n > 0) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                }
            };
        }
        UpstreamClient.Request request = new UpstreamClient.Request(exchange.method(), upstreamTarget,
                                                                    upstreamHeaders(req, exchange, match, target,
                                                                                    bodyLength),
                                                                    bodyLength, service.connectTimeout(),
                                                                    service.readTimeout());
        long proxyLatency = (System.nanoTime() - start) / 1_000_000;
        long upstreamStart = System.nanoTime();
        UpstreamClient.Response upstream = null;
        Throwable failure = null;
        // a refused connection sent nothing (not even the body was read), so it is always safe to try again
        for (int attempt = 0; attempt <= service.retries() && upstream == null; attempt++) {
            try {
                upstream = resources.upstream().send(service.host(), service.port(), request, writer, buffered != null);
            } catch (UpstreamClient.ConnectFailure e) {
                failure = e;
            } catch (IOException | RuntimeException e) {
                failure = e;
                break;
            }
        }
        if (upstream == null) {
            boolean timeout = isTimeout(failure);
            LOGGER.log(System.Logger.Level.DEBUG, "upstream " + service.host() + ":" + service.port() + " failed: " + failure);
            EdgeResponse error = timeout ? EdgeResponse.message(504, "The upstream server is timing out")
                    : EdgeResponse.message(502, "An invalid response was received from the upstream server");
            sendEdge(req, res, exchange, target.plugins(), error.asError());
            return;
        }
        long upstreamLatency = (System.nanoTime() - upstreamStart) / 1_000_000;
        try (UpstreamClient.Response response = upstream) {
            relayResponse(req, res, exchange, target, response, upstreamLatency, proxyLatency);
        } catch (IOException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "closing upstream response: " + e.getMessage());
        }
    }

    private void relayResponse(ProxyIo.Request req, ProxyIo.Response res, Exchange exchange, RouteTarget target,
                               UpstreamClient.Response response, long upstreamLatency, long proxyLatency) {
        int status = response.status();
        exchange.complete(status, "service", contentLength(req), 0, upstreamLatency, proxyLatency);
        for (EdgePlugin plugin : target.plugins()) {
            plugin.headerFilter(exchange);
        }
        res.status(status);
        for (String[] h : response.headers()) {
            HeaderName name = headerName(h[0]);
            String lower = name.lowerCase();
            if (HOP_BY_HOP.contains(lower) || lower.equals("content-length")) {
                continue;
            }
            res.addHeader(HeaderValues.create(name, h[1]));
        }
        if (!exchange.downstreamHeaders().isEmpty()) {
            addChecked(res, exchange.downstreamHeaders());
        }
        res.header(VIA_HEADER);
        res.header(HeaderValues.create(UPSTREAM_LATENCY, String.valueOf(upstreamLatency)));
        res.header(HeaderValues.create(PROXY_LATENCY, String.valueOf(proxyLatency)));
        res.header(HeaderValues.create(REQUEST_ID, exchange.requestId()));
        long length = response.length();
        long sent = 0;
        try {
            if (status == 204 || status == 304 || status < 200) {
                res.send();
            } else if ("HEAD".equals(exchange.method())) {
                // the service's Content-Length is the length a GET would have had (RFC 9110 9.3.2), as Kong passes it
                if (length >= 0) {
                    res.header(HeaderValues.create(HeaderNames.CONTENT_LENGTH, String.valueOf(length)));
                }
                res.send();
            } else if (length >= 0 && length <= SMALL_BODY) {
                // small body of known length: one read, one write
                byte[] body = response.body().readNBytes((int) length);
                sent = body.length;
                res.send(body);
            } else {
                if (length >= 0) {
                    res.header(HeaderValues.create(HeaderNames.CONTENT_LENGTH, String.valueOf(length)));
                }
                InputStream in = response.body();
                try (OutputStream out = res.outputStream()) {
                    byte[] buffer = new byte[16384];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (n == 0) {
                            continue;
                        }
                        out.write(buffer, 0, n);
                        sent += n;
                        if (length < 0) {
                            out.flush();
                        }
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "response relay ended early: " + e.getMessage());
        } finally {
            exchange.complete(status, "service", contentLength(req), sent, upstreamLatency, proxyLatency);
            log(exchange, target.plugins());
        }
    }

    private List<String[]> upstreamHeaders(ProxyIo.Request req, Exchange exchange, Router.Match match, RouteTarget target,
                                           long bodyLength) {
        Headers in = req.headers();
        // never re-sent: SKIP (fixed), plus per request the Connection tokens and what the plugins set or removed
        Set<String> skip = null;
        if (!exchange.upstreamRemoved().isEmpty() || !exchange.upstreamHeaders().isEmpty()
                || in.contains(HeaderNames.CONNECTION)) {
            skip = new HashSet<>(exchange.upstreamRemoved());
            Set<String> extra = skip;
            in.first(HeaderNames.CONNECTION).ifPresent(c -> {
                for (String token : c.split(",")) {
                    extra.add(token.trim().toLowerCase(Locale.ROOT));
                }
            });
            for (String name : exchange.upstreamHeaders().keySet()) {
                skip.add(name.toLowerCase(Locale.ROOT));
            }
        }
        List<String[]> out = new java.util.ArrayList<>(in.size() + 12);
        String clientHost = target.route().preserveHost() ? in.first(HeaderNames.HOST).orElse("") : "";
        out.add(new String[] {"Host", clientHost.isEmpty() ? target.upstreamHost() : clientHost});
        for (Header h : in) {
            String lower = h.headerName().lowerCase();
            if (!SKIP.contains(lower) && (skip == null || !skip.contains(lower))) {
                for (String v : h.allValues()) {
                    out.add(new String[] {h.name(), v});
                }
            }
        }
        if (bodyLength > 0 || bodyLength == 0 && req.hasEntity()) {
            out.add(new String[] {"Content-Length", String.valueOf(bodyLength)});
        }
        String xff = in.first(HeaderNames.X_FORWARDED_FOR).map(v -> v + ", " + exchange.clientIp()).orElse(exchange.clientIp());
        out.add(new String[] {"X-Forwarded-For", xff});
        out.add(new String[] {"X-Forwarded-Proto", "http"});
        out.add(new String[] {"X-Forwarded-Host", exchange.host() == null ? "" : exchange.host()});
        out.add(new String[] {"X-Forwarded-Port", String.valueOf(listenPort.get())});
        out.add(new String[] {"X-Forwarded-Path", exchange.path()});
        if (target.route().stripPath() && match.matchedLength() > 1) {
            out.add(new String[] {"X-Forwarded-Prefix", exchange.path().substring(0, match.matchedLength())});
        }
        out.add(new String[] {"X-Real-IP", exchange.clientIp()});
        for (Map.Entry<String, String> e : exchange.upstreamHeaders().entrySet()) {
            out.add(new String[] {e.getKey(), e.getValue()});
        }
        return out;
    }

    static HeaderName headerName(String name) {
        HeaderName known = NAMES.get(name);
        if (known != null) {
            return known;
        }
        HeaderName created = HeaderNames.create(name);
        if (NAMES.size() < MAX_NAMES) {
            NAMES.put(name, created);
        }
        return created;
    }

    private static Set<String> skipAlways() {
        Set<String> skip = new HashSet<>(HOP_BY_HOP);
        skip.addAll(FORWARDED);
        skip.add("content-length");
        return Set.copyOf(skip);
    }

    private static long contentLength(ProxyIo.Request req) {
        return req.headers().contentLength().orElse(0);
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
                    || t instanceof java.util.concurrent.TimeoutException
                    || t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("timed out")
                    || t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("timeout")) {
                return true;
            }
        }
        return false;
    }

    private static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(1, end) : host;
        }
        int colon = host.lastIndexOf(':');
        return colon > 0 ? host.substring(0, colon) : host;
    }

    static String requestId() {
        // an id, not a secret: a fast generator is enough
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
    }
}
