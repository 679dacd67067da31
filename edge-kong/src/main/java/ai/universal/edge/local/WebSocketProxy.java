package ai.universal.edge.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import ai.universal.edge.plugins.EdgeResponse;
import ai.universal.edge.plugins.Exchange;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * WebSocket through the edge, as Kong passes {@code Upgrade} on http routes: the upgrade request is routed and runs the
 * route's plugins like any request (a refused one gets the plugin's HTTP answer: 401, 429, ...), then the edge opens
 * the upstream WebSocket (same path, query, credentials, consumer headers; the client's subprotocols offered) before it
 * answers 101, and relays text, binary, ping and close frames both ways until either side closes.
 */
final class WebSocketProxy {
    private static final System.Logger LOGGER = System.getLogger(WebSocketProxy.class.getName());
    private static final ThreadLocal<Prepared> PREPARED = new ThreadLocal<>();
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "upgrade", "content-length", "expect",
                                                            "keep-alive", "te", "trailer", "transfer-encoding",
                                                            "proxy-connection", "sec-websocket-key",
                                                            "sec-websocket-version", "sec-websocket-extensions",
                                                            "sec-websocket-protocol", "sec-websocket-accept", "origin");

    private final Supplier<EdgeRuntime> runtime;
    private final Supplier<Integer> listenPort;
    private final HttpClient http;

    private record Prepared(WebSocket upstream, UpstreamListener listener) {
    }

    WebSocketProxy(Supplier<EdgeRuntime> runtime, EdgeResources resources, Supplier<Integer> listenPort) {
        this.runtime = runtime;
        this.listenPort = listenPort;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!req.headers().first(HeaderNames.UPGRADE).map(u -> u.equalsIgnoreCase("websocket")).orElse(false)) {
            chain.proceed();
            return;
        }
        long start = System.nanoTime();
        EdgeRuntime rt = runtime.get();
        ProxyIo.Request request = ProxyIo.of(req);
        ProxyIo.Response response = ProxyIo.of(res);
        Exchange exchange = ProxyHandler.exchange(request, rt, start);
        if (exchange.route() == null) {
            ProxyHandler.sendEdge(request, response, exchange, rt.globalPlugins(),
                                  EdgeResponse.message(404, "no Route matched with those values"));
            return;
        }
        RouteTarget target = (RouteTarget) exchange.attributes().get(RouteTarget.class.getName());
        Optional<EdgeResponse> early = ProxyHandler.access(exchange, target.plugins());
        if (early.isPresent()) {
            ProxyHandler.sendEdge(request, response, exchange, target.plugins(), early.get());
            return;
        }
        if (target.service() == null) {
            ProxyHandler.sendEdge(request, response, exchange, target.plugins(),
                                  EdgeResponse.message(503, "no Service found with those values"));
            return;
        }
        Router.Match match = (Router.Match) exchange.attributes().get(Router.Match.class.getName());
        var service = target.service();
        String scheme = "https".equals(service.protocol()) ? "wss" : "ws";
        URI uri = URI.create(scheme + "://" + service.host() + ":" + service.port() + Router.upstreamPath(match, exchange.path())
                                     + (exchange.rawQuery().isEmpty() ? "" : "?" + exchange.rawQuery()));
        UpstreamListener listener = new UpstreamListener();
        WebSocket.Builder builder = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofMillis(service.connectTimeout()));
        for (Header h : request.headers()) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(lower) && !exchange.upstreamRemoved().contains(lower)
                    && exchange.upstreamHeaders().keySet().stream().noneMatch(k -> k.equalsIgnoreCase(h.name()))) {
                for (String v : h.allValues()) {
                    builder.header(h.name(), v);
                }
            }
        }
        exchange.upstreamHeaders().forEach(builder::header);
        builder.header("X-Forwarded-For", exchange.clientIp());
        builder.header("X-Forwarded-Proto", "http");
        builder.header("X-Forwarded-Port", String.valueOf(listenPort.get()));
        builder.header("X-Real-IP", exchange.clientIp());
        List<String> protocols = new ArrayList<>();
        req.headers().first(HeaderNames.create("Sec-WebSocket-Protocol")).ifPresent(p -> {
            for (String s : p.split(",")) {
                if (!s.isBlank()) {
                    protocols.add(s.trim());
                }
            }
        });
        if (!protocols.isEmpty()) {
            builder.subprotocols(protocols.getFirst(), protocols.subList(1, protocols.size()).toArray(String[]::new));
        }
        WebSocket upstream;
        try {
            upstream = builder.buildAsync(uri, listener).get(service.connectTimeout() + service.readTimeout(),
                                                             TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProxyHandler.sendEdge(request, response, exchange, target.plugins(),
                                  EdgeResponse.message(502, "An invalid response was received from the upstream server")
                                          .asError());
            return;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            EdgeResponse error;
            if (cause instanceof WebSocketHandshakeException hs) {
                int status = hs.getResponse().statusCode();
                error = EdgeResponse.message(status, "upstream refused the WebSocket upgrade with " + status);
            } else if (cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
                error = EdgeResponse.message(504, "The upstream server is timing out").asError();
            } else {
                error = EdgeResponse.message(502, "An invalid response was received from the upstream server").asError();
            }
            LOGGER.log(System.Logger.Level.DEBUG, "upstream WebSocket " + uri + " failed: " + cause);
            ProxyHandler.sendEdge(request, response, exchange, target.plugins(), error);
            return;
        }
        PREPARED.set(new Prepared(upstream, listener));
        try {
            chain.proceed();
        } finally {
            Prepared left = PREPARED.get();
            PREPARED.remove();
            if (left != null) {
                // the upgrade did not happen: do not leave the upstream socket open
                left.upstream().abort();
            }
            exchange.complete(101, "service", 0, 0, (System.nanoTime() - start) / 1_000_000, 0);
            ProxyHandler.log(exchange, target.plugins());
        }
    }

    WsListener listener() {
        return new Relay();
    }

    /**
     * The client side of one proxied WebSocket.
     */
    private static final class Relay implements WsListener {
        private volatile WebSocket upstream;
        private volatile UpstreamListener listener;

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            Prepared prepared = PREPARED.get();
            if (prepared == null) {
                throw new WsUpgradeException("no prepared upstream");
            }
            PREPARED.remove();
            upstream = prepared.upstream();
            listener = prepared.listener();
            String sub = upstream.getSubprotocol();
            if (sub == null || sub.isEmpty()) {
                return Optional.empty();
            }
            WritableHeaders<?> response = WritableHeaders.create();
            response.set(HeaderValues.create("Sec-WebSocket-Protocol", sub));
            return Optional.of(response);
        }

        @Override
        public void onOpen(WsSession session) {
            listener.attach(session);
            upstream.request(1);
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            upstream.sendText(text, last).join();
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            upstream.sendBinary(ByteBuffer.wrap(bytes), last).join();
        }

        @Override
        public void onPing(WsSession session, BufferData buffer) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            session.pong(BufferData.create(bytes));
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            WebSocket u = upstream;
            if (u != null && !u.isOutputClosed()) {
                u.sendClose(status == 1005 || status == 1006 ? WebSocket.NORMAL_CLOSURE : status, reason == null ? "" : reason)
                        .orTimeout(5, TimeUnit.SECONDS)
                        .whenComplete((ws, e) -> u.abort());
            }
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            WebSocket u = upstream;
            if (u != null) {
                u.abort();
            }
        }
    }

    /**
     * The upstream side: forwards what the service sends to the client session.
     */
    private static final class UpstreamListener implements WebSocket.Listener {
        private final ReentrantLock lock = new ReentrantLock();
        private volatile WsSession session;

        void attach(WsSession clientSession) {
            this.session = clientSession;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            // messages are requested once the client side is open (Relay.onOpen)
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lock.lock();
            try {
                session.send(data.toString(), last);
            } finally {
                lock.unlock();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            lock.lock();
            try {
                session.send(BufferData.create(bytes), last);
            } finally {
                lock.unlock();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            WsSession s = session;
            if (s != null) {
                lock.lock();
                try {
                    s.close(statusCode, reason);
                } finally {
                    lock.unlock();
                }
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            WsSession s = session;
            if (s != null) {
                s.close(1011, "upstream error");
            }
        }
    }
}
