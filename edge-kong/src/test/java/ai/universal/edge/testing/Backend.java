package ai.universal.edge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Header;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small Helidon service behind the edge in tests.
 * <ul>
 *     <li>{@code <any path>}: echoes {@code {"method","path","query","headers":{...},"bodyLength"}}</li>
 *     <li>{@code .../sse}: an event stream; sends {@code data: one}, waits for {@link #releaseStream()}, sends
 *     {@code data: two}</li>
 *     <li>{@code .../slow}: answers only after {@link #releaseSlow()} (to make the edge time out)</li>
 *     <li>{@code .../upload}: counts the streamed body in {@link #uploaded()}, answers the total</li>
 *     <li>WebSocket on any path: echoes text as {@code echo:<text>} and binary as is</li>
 * </ul>
 */
public final class Backend implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WebServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong uploaded = new AtomicLong();
    private final AtomicInteger slowRequests = new AtomicInteger();
    private volatile CountDownLatch stream = new CountDownLatch(1);
    private final CountDownLatch slow = new CountDownLatch(1);

    /**
     * Start on a free port.
     */
    public Backend() {
        server = WebServer.builder()
                .port(0)
                .host("127.0.0.1")
                .routing(HttpRouting.builder().any(this::handle))
                .addRouting(WsRouting.builder().endpoint("/*", Echo::new))
                .build()
                .start();
    }

    /** @return port */
    public int port() {
        return server.port();
    }

    /** @return HTTP requests handled */
    public int requests() {
        return requests.get();
    }

    /** @return requests to a {@code .../slow} path received so far */
    public int slowRequests() {
        return slowRequests.get();
    }

    /** @return bytes of upload bodies read so far */
    public long uploaded() {
        return uploaded.get();
    }

    /** Let the event stream send its second event. */
    public void releaseStream() {
        stream.countDown();
    }

    /** Let slow requests answer. */
    public void releaseSlow() {
        slow.countDown();
    }

    private void handle(ServerRequest req, ServerResponse res) throws Exception {
        requests.incrementAndGet();
        String path = req.path().rawPath();
        if (path.endsWith("/sse")) {
            stream = new CountDownLatch(1);
            res.header(HeaderValues.create("Content-Type", "text/event-stream"));
            try (OutputStream out = res.outputStream()) {
                out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                stream.await(10, TimeUnit.SECONDS);
                out.write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        if (path.endsWith("/slow")) {
            slowRequests.incrementAndGet();
            slow.await(10, TimeUnit.SECONDS);
            res.send("late");
            return;
        }
        long length = 0;
        if (req.content().hasEntity()) {
            byte[] buffer = new byte[8192];
            try (InputStream in = req.content().inputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    length += n;
                    if (path.endsWith("/upload")) {
                        uploaded.addAndGet(n);
                    }
                }
            }
        }
        Map<String, String> headers = new TreeMap<>();
        for (Header h : req.headers()) {
            headers.put(h.name().toLowerCase(), String.join(",", h.allValues()));
        }
        res.header(HeaderValues.create("Content-Type", "application/json"));
        res.header(HeaderValues.create("X-Backend", "yes"));
        res.send(JSON.writeValueAsString(Map.of("method", req.prologue().method().text(), "path", path,
                                                "query", req.query().rawValue(), "headers", headers,
                                                "bodyLength", length)));
    }

    private static final class Echo implements WsListener {
        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            session.send("echo:" + text, last);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            session.send(BufferData.create(bytes), last);
        }
    }

    @Override
    public void close() {
        slow.countDown();
        stream.countDown();
        server.stop();
    }

    /**
     * Parse an echo body.
     *
     * @param body JSON
     * @return map
     * @throws IOException on bad JSON
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> echo(String body) throws IOException {
        return JSON.readValue(body, Map.class);
    }
}
