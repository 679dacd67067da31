package ai.universal.edge.local;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What the proxy needs of a request and its response, whoever read the request: the edge's own proxy port
 * ({@link ProxyConnection}) or Helidon's listener (the tunnel behind it, and {@code -Dedge.listener=helidon}).
 */
final class ProxyIo {
    private ProxyIo() {
    }

    /**
     * A client's request.
     */
    interface Request {
        /** @return method as sent */
        String method();

        /** @return path as sent, not decoded */
        String rawPath();

        /** @return query as sent (without {@code ?}), or null when there is none */
        String rawQuery();

        /** @return request headers */
        Headers headers();

        /** @return the client's address (from the PROXY protocol line when the request came through the tunnel) */
        InetSocketAddress client();

        /** @return whether the request is HTTP/1.1 */
        boolean http11();

        /** @return whether the request has a body */
        boolean hasEntity();

        /** @return the body (the same stream on every call) */
        InputStream body();
    }

    /**
     * The response to it.
     */
    interface Response {
        /** @param code status code */
        void status(int code);

        /** @param header header to set (replacing any of that name) */
        void header(Header header);

        /** @param header header to add (keeping those of that name already set) */
        void addHeader(Header header);

        /** @param body complete body to send with the headers */
        void send(byte[] body);

        /** Send the headers with an empty body. */
        void send();

        /** @return a stream for the body: chunked unless a Content-Length header was set */
        OutputStream outputStream();

        /**
         * The request's plugins wait on the network (see {@link ai.universal.edge.plugins.EdgePlugin#waitsOnNetwork()}):
         * a connection the edge's listener serves on a platform thread goes on on a virtual thread.
         */
        default void preferVirtualThread() {
        }
    }

    static Request of(ServerRequest req) {
        return new HelidonRequest(req);
    }

    static Response of(ServerResponse res) {
        return new HelidonResponse(res);
    }

    private static final class HelidonRequest implements Request {
        private final ServerRequest req;
        private final ProxyProtocolData proxied;
        private Headers headers;

        private HelidonRequest(ServerRequest req) {
            this.req = req;
            this.proxied = req.proxyProtocolData().orElse(null);
        }

        @Override
        public String method() {
            return req.prologue().method().text();
        }

        @Override
        public String rawPath() {
            return req.path().rawPath();
        }

        @Override
        public String rawQuery() {
            return req.query().rawValue();
        }

        @Override
        public Headers headers() {
            if (headers == null) {
                headers = proxied == null ? req.headers() : withoutProxyValues(req.headers());
            }
            return headers;
        }

        @Override
        public InetSocketAddress client() {
            // only the tunnel's internal listener (127.0.0.1, reached from ProxyListener) takes the PROXY protocol
            if (proxied != null && proxied.sourceAddress() != null && !proxied.sourceAddress().isEmpty()) {
                try {
                    // a literal address: no lookup happens
                    return new InetSocketAddress(InetAddress.getByName(proxied.sourceAddress()), proxied.sourcePort());
                } catch (UnknownHostException e) {
                    // not a literal: use the socket's peer
                }
            }
            return (InetSocketAddress) req.remotePeer().address();
        }

        @Override
        public boolean http11() {
            return "1.1".equals(req.prologue().protocolVersion());
        }

        @Override
        public boolean hasEntity() {
            return req.content().hasEntity();
        }

        @Override
        public InputStream body() {
            return req.content().inputStream();
        }
    }

    /**
     * Helidon adds the PROXY line's source address to X-Forwarded-For and its port to X-Forwarded-Port as the last
     * values; the edge sets both headers itself from the client's address, so those values are taken off again and
     * the request's headers are what the client sent.
     */
    private static Headers withoutProxyValues(Headers in) {
        WritableHeaders<?> out = WritableHeaders.create(in);
        for (HeaderName name : new HeaderName[] {HeaderNames.X_FORWARDED_FOR, HeaderNames.X_FORWARDED_PORT}) {
            if (out.contains(name)) {
                List<String> values = out.get(name).allValues();
                if (values.size() <= 1) {
                    out.remove(name);
                } else {
                    out.set(name, values.subList(0, values.size() - 1));
                }
            }
        }
        return out;
    }

    private record HelidonResponse(ServerResponse res) implements Response {
        @Override
        public void status(int code) {
            res.status(Status.create(code));
        }

        @Override
        public void header(Header header) {
            res.header(header);
        }

        @Override
        public void addHeader(Header header) {
            res.headers().add(header);
        }

        @Override
        public void send(byte[] body) {
            res.send(body);
        }

        @Override
        public void send() {
            res.send();
        }

        @Override
        public OutputStream outputStream() {
            return res.outputStream();
        }
    }
}
