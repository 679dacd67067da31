package ai.universal.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

/**
 * {@code GET /v1/hub/ws} (WebSocket): one listener per connection, adapting Helidon's session to the hub.
 * Credentials: {@code Authorization: Bearer <token>}, or the subprotocol {@code bearer.<token>} (browsers; offer
 * {@code uat-hub.v1} too and the server selects it), or a {@code connect} frame within the connect timeout.
 */
final class HubSocket implements WsListener {
    /** The protocol name a browser offers next to its token. */
    static final String PROTOCOL = "uat-hub.v1";
    private static final String BEARER_PROTOCOL = "bearer.";
    private static final HeaderName SEC_WEBSOCKET_PROTOCOL = HeaderNames.create("Sec-WebSocket-Protocol");

    private final Hub hub;
    private volatile Hub.Auth auth = new Hub.Auth.None();
    private volatile Connection connection;

    HubSocket(Hub hub) {
        this.hub = hub;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        List<String> protocols = new ArrayList<>();
        for (String value : headers.all(SEC_WEBSOCKET_PROTOCOL, List::of)) {
            for (String p : value.split(",")) {
                if (!p.isBlank()) {
                    protocols.add(p.trim());
                }
            }
        }
        String authorization = headers.first(HeaderNames.AUTHORIZATION).orElse(null);
        if (authorization == null) {
            for (String p : protocols) {
                if (p.startsWith(BEARER_PROTOCOL) && p.length() > BEARER_PROTOCOL.length()) {
                    authorization = "Bearer " + p.substring(BEARER_PROTOCOL.length());
                }
            }
        }
        auth = hub.authenticate(authorization);
        if (protocols.contains(PROTOCOL)) {
            WritableHeaders<?> answer = WritableHeaders.create();
            answer.set(SEC_WEBSOCKET_PROTOCOL, PROTOCOL);
            return Optional.of(answer);
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        // Helidon runs a connection's whole life on one thread (which calls onOpen); it ends when the socket does.
        connection = hub.open(new SessionTransport(session, Thread.currentThread()), auth);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        hub.onText(connection, text, last);
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        if (last) {
            hub.onBinary(connection);
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        hub.onPing(connection, buffer.readBytes());
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        hub.onPong(connection);
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        Connection c = connection;
        if (c != null) {
            hub.onClosed(c);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        Connection c = connection;
        if (c != null) {
            hub.onClosed(c);
        }
    }

    private record SessionTransport(WsSession session, Thread reader) implements Transport {
        @Override
        public boolean open() {
            return reader.isAlive();
        }

        @Override
        public void send(String text) {
            session.send(text, true);
        }

        @Override
        public void ping() {
            session.ping(BufferData.empty());
        }

        @Override
        public void pong(byte[] payload) {
            session.pong(BufferData.create(payload));
        }

        @Override
        public void close(int code, String reason) {
            session.close(code, reason);
        }

        @Override
        public void abort() {
            if (session instanceof ServerConnection server) {
                server.close(true);
            }
        }
    }
}
