package ai.universal.edge.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ai.universal.edge.testing.Backend;
import ai.universal.edge.testing.EdgeFiles;
import ai.universal.edge.testing.Http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LocalEdgeRoutingTest {
    @TempDir
    static Path dir;
    private static Backend backend;
    private static LocalEdge edge;
    /** A listener whose accept queue is full and that never accepts: connects to it hang until their timeout. */
    private static ServerSocket full;
    private static final List<Socket> queued = new ArrayList<>();
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        backend = new Backend();
        int b = backend.port();
        full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        for (int i = 0; i < 4; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()), 200);
                queued.add(s);
            } catch (SocketTimeoutException e) {
                s.close();
            }
        }
        edge = EdgeFiles.start(dir, """
                _format_version: "3.0"
                services:
                  - name: backend
                    url: http://127.0.0.1:%d
                    read_timeout: 400
                    routes:
                      - name: prefix-short
                        paths: [/api]
                        strip_path: false
                      - name: prefix-long
                        paths: [/api/v2]
                        strip_path: true
                      - name: regex
                        paths: ["~/items/\\\\d+$"]
                        strip_path: false
                      - name: post-only
                        methods: [POST]
                        paths: [/api/v2/post-only]
                      - name: by-host
                        hosts: [example.test]
                        paths: [/api]
                        strip_path: false
                        preserve_host: true
                      - name: ws-protected
                        paths: [/protected-ws]
                        plugins:
                          - name: jwt
                  - name: based
                    url: http://127.0.0.1:%d/base
                    routes:
                      - name: based
                        paths: [/based]
                  - name: closed
                    url: http://127.0.0.1:%d
                    retries: 1
                    routes:
                      - name: closed
                        paths: [/closed]
                  - name: unanswered
                    url: http://127.0.0.1:%d
                    connect_timeout: 300
                    routes:
                      - name: unanswered
                        paths: [/unanswered]
                """.formatted(b, b, EdgeFiles.closedPort(), full.getLocalPort()));
        base = "http://127.0.0.1:" + edge.port();
    }

    @AfterAll
    static void stop() throws IOException {
        edge.close();
        backend.close();
        for (Socket s : queued) {
            s.close();
        }
        full.close();
    }

    private static Map<String, Object> echo(HttpResponse<String> response) throws IOException {
        assertThat(response.body(), response.statusCode(), is(200));
        return Backend.echo(response.body());
    }

    @SuppressWarnings("unchecked")
    private static String header(Map<String, Object> echo, String name) {
        return ((Map<String, String>) echo.get("headers")).get(name);
    }

    @Test
    void longestPrefixWinsAndStripPathRemovesIt() throws Exception {
        Map<String, Object> longer = echo(Http.get(base + "/api/v2/thing?x=1&y=%20"));
        assertThat(longer.get("path"), is("/thing"));
        assertThat(longer.get("query"), is("x=1&y=%20"));
        assertThat(header(longer, "x-forwarded-prefix"), is("/api/v2"));
        Map<String, Object> shorter = echo(Http.get(base + "/api/other"));
        assertThat(shorter.get("path"), is("/api/other"));
        assertThat(header(shorter, "x-forwarded-prefix"), is((String) null));
    }

    @Test
    void regexPathMatchesAnchoredAtTheStart() throws Exception {
        assertThat(echo(Http.get(base + "/items/42")).get("path"), is("/items/42"));
        assertThat(Http.get(base + "/items/abc").statusCode(), is(404));
        assertThat(Http.get(base + "/x/items/42").statusCode(), is(404));
    }

    @Test
    void methodsMakeARouteMoreSpecific() throws Exception {
        Map<String, Object> post = echo(Http.send("POST", base + "/api/v2/post-only/x", Map.of(), "hi"));
        assertThat(post.get("path"), is("/x"));
        assertThat(post.get("bodyLength"), is(2));
        Map<String, Object> get = echo(Http.get(base + "/api/v2/post-only/x"));
        assertThat(get.get("path"), is("/post-only/x"));
    }

    @Test
    void hostsSelectTheRouteAndPreserveHostKeepsIt() throws Exception {
        Map<String, Object> byHost = echo(Http.get(base + "/api/h", Map.of("Host", "example.test")));
        assertThat(header(byHost, "host"), is("example.test"));
        Map<String, Object> other = echo(Http.get(base + "/api/h"));
        assertThat(header(other, "host"), is("127.0.0.1:" + backend.port()));
        assertThat(header(other, "x-forwarded-host"), is("127.0.0.1"));
    }

    @Test
    void servicePathIsPrependedAsKongV0Does() throws Exception {
        assertThat(echo(Http.get(base + "/based/x/y")).get("path"), is("/base/x/y"));
    }

    @Test
    void forwardedHeadersAreSet() throws Exception {
        Map<String, Object> e = echo(Http.get(base + "/api/f", Map.of("X-Forwarded-For", "203.0.113.9")));
        assertThat(header(e, "x-forwarded-for"), is("203.0.113.9, 127.0.0.1"));
        assertThat(header(e, "x-real-ip"), is("127.0.0.1"));
        assertThat(header(e, "x-forwarded-proto"), is("http"));
        assertThat(header(e, "x-forwarded-path"), is("/api/f"));
        assertThat(header(e, "x-forwarded-port"), is(String.valueOf(edge.port())));
    }

    @Test
    void proxiedResponseKeepsUpstreamHeadersAndAddsKongs() {
        HttpResponse<String> r = Http.get(base + "/api/h");
        assertThat(r.headers().firstValue("X-Backend").orElse(""), is("yes"));
        assertThat(r.headers().firstValue("Via").orElse(""), is("1.1 kong-local-edge"));
        assertThat(r.headers().firstValue("X-Kong-Upstream-Latency").isPresent(), is(true));
        assertThat(r.headers().firstValue("X-Kong-Proxy-Latency").isPresent(), is(true));
        assertThat(r.headers().firstValue("X-Kong-Request-Id").orElse("").length(), is(32));
    }

    @Test
    void unmatchedRequestGetsKongs404() {
        HttpResponse<String> r = Http.get(base + "/nothing/here");
        assertThat(r.statusCode(), is(404));
        assertThat(r.headers().firstValue("Content-Type").orElse(""), is("application/json; charset=utf-8"));
        String id = r.headers().firstValue("X-Kong-Request-Id").orElseThrow();
        assertThat(r.body(), is("{\"message\":\"no Route matched with those values\",\"request_id\":\"" + id + "\"}"));
    }

    @Test
    void refusedUpstreamConnectionIs502() {
        HttpResponse<String> r = Http.get(base + "/closed");
        assertThat(r.statusCode(), is(502));
        assertThat(r.body(), containsString("{\"message\":\"An invalid response was received from the upstream server\""));
    }

    @Test
    void upstreamConnectTimeoutIs504() throws IOException {
        // the service's accept queue is full, so a connect to it hangs (what this test relies on, checked first)
        try (Socket probe = new Socket()) {
            assertThrows(SocketTimeoutException.class,
                         () -> probe.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()), 200));
        }
        HttpResponse<String> r = Http.get(base + "/unanswered");
        assertThat(r.statusCode(), is(504));
        assertThat(r.body(), containsString("{\"message\":\"The upstream server is timing out\""));
        assertThat(Http.get(base + "/api/after-connect-timeout").statusCode(), is(200));
    }

    @Test
    void bytesAServiceSendsBeyondItsAnswerAreNotReadAsTheNextAnswer(@TempDir Path own) throws Exception {
        // a service that frames "ok" with Content-Length: 2 and then sends 5 bytes more, on every request
        try (RawService service = new RawService("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA");
             LocalEdge sloppy = EdgeFiles.start(own, service.kongYml())) {
            String url = "http://127.0.0.1:" + sloppy.port() + "/";
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = Http.get(url + i);
                assertThat("request " + i, r.statusCode(), is(200));
                assertThat(r.body(), is("ok"));
            }
            // each request went out on a new connection: the one with stray bytes was not pooled
            assertThat(service.connections.get(), is(3));
        }
    }

    @Test
    void serviceHeadersAreReadWithoutTheSpacesAroundTheValueAndOfAnyLength(@TempDir Path own) throws Exception {
        // a value longer than the edge's 16 KiB read buffer, so its line is read across two reads
        String longValue = "v".repeat(20_000);
        try (RawService service = new RawService("HTTP/1.1 200 OK\r\nX-Spaced: \t a  b \t\r\nX-Empty:\r\n"
                + "X-Long: " + longValue + "\r\nX-Tight:x\r\nContent-Length: 2\r\n\r\nok");
             LocalEdge edge = EdgeFiles.start(own, service.kongYml())) {
            HttpResponse<String> r = Http.get("http://127.0.0.1:" + edge.port() + "/h");
            assertThat(r.body(), r.statusCode(), is(200));
            assertThat(r.headers().firstValue("X-Spaced").orElse(null), is("a  b"));
            assertThat(r.headers().firstValue("X-Empty").orElse(null), is(""));
            assertThat(r.headers().firstValue("X-Tight").orElse(null), is("x"));
            assertThat(r.headers().firstValue("X-Long").orElse(""), is(longValue));
        }
        try (RawService service = new RawService("HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 2\r\n\r\nok");
             LocalEdge edge = EdgeFiles.start(own, service.kongYml())) {
            assertThat(Http.get("http://127.0.0.1:" + edge.port() + "/h").statusCode(), is(502));
        }
    }

    /** A service on a raw socket that answers every request head with the same bytes. */
    private static final class RawService implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private final AtomicInteger connections = new AtomicInteger();

        RawService(String answer) throws IOException {
            byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket c = server.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> answerEach(c, bytes));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String kongYml() {
            return EdgeFiles.allTo(server.getLocalPort());
        }

        private static void answerEach(Socket c, byte[] answer) {
            try (c) {
                InputStream in = c.getInputStream();
                while (true) {
                    int matched = 0;
                    while (matched < 4) {
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                    }
                    c.getOutputStream().write(answer);
                    c.getOutputStream().flush();
                }
            } catch (IOException e) {
                // the edge closed the connection
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void upstreamReadTimeoutIs504() {
        // a request first, so the slow one goes out on a pooled keep-alive connection
        assertThat(Http.get(base + "/api/before-slow").statusCode(), is(200));
        int slowBefore = backend.slowRequests();
        HttpResponse<String> r = Http.get(base + "/api/slow");
        assertThat(r.statusCode(), is(504));
        assertThat(r.body(), containsString("{\"message\":\"The upstream server is timing out\""));
        // sent once: a read timeout is not a stale pooled connection, so it is not tried again on a new one
        assertThat(backend.slowRequests() - slowBefore, is(1));
        // the timed-out connection is not reused: the next request is answered on a new one
        assertThat(Http.get(base + "/api/after-slow").statusCode(), is(200));
        backend.releaseSlow();
    }

    @Test
    void serverSentEventsArriveBeforeTheStreamEnds() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/sse")).build();
        HttpResponse<InputStream> r = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode(), is(200));
        assertThat(r.headers().firstValue("Content-Type").orElse(""), is("text/event-stream"));
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(reader.readLine(), is("data: one"));
            assertThat(reader.readLine(), is(""));
            backend.releaseStream();
            assertThat(reader.readLine(), is("data: two"));
        }
    }

    @Test
    void requestBodyStreamsToTheServiceBeforeTheClientFinishes() throws Exception {
        // a raw socket, so the test decides exactly when each chunk leaves the client
        long before = backend.uploaded();
        byte[] chunk = new byte[32 * 1024];
        try (Socket socket = new Socket("127.0.0.1", edge.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            writeChunk(out, chunk);
            Http.await("service received the first 32 KiB while the client still sends", Duration.ofSeconds(10),
                       () -> backend.uploaded() - before >= chunk.length,
                       () -> "service got " + (backend.uploaded() - before) + " bytes");
            for (int i = 0; i < 64; i++) {
                writeChunk(out, chunk);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine(), is("HTTP/1.1 200 OK"));
            String line;
            int length = 0;
            while (!(line = in.readLine()).isEmpty()) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                read += in.read(body, read, length - read);
            }
            assertThat(Backend.echo(new String(body)).get("bodyLength"), is(65 * chunk.length));
        }
    }

    private static void writeChunk(OutputStream out, byte[] chunk) throws IOException {
        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(chunk);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Test
    void webSocketIsProxiedBothWays() throws Exception {
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        WebSocket ws = Http.CLIENT.newWebSocketBuilder().subprotocols("chat.v1")
                .buildAsync(URI.create("ws://127.0.0.1:" + edge.port() + "/api/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        received.add(b);
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS), is("echo:hello"));
        ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS), is(new byte[] {1, 2, 3}));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void webSocketUpgradeRunsTheRoutesPlugins() {
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> Http.CLIENT.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + edge.port() + "/protected-ws"), new WebSocket.Listener() { })
                .get(10, TimeUnit.SECONDS));
        assertThat(failure.getCause() instanceof java.net.http.WebSocketHandshakeException, is(true));
        var hs = (java.net.http.WebSocketHandshakeException) failure.getCause();
        assertThat(hs.getResponse().statusCode(), is(401));
    }

    @Test
    void edgeRefusesToStartOnWhatItDoesNotImplementNamingEntityAndField() {
        var e = assertThrows(ai.universal.edge.config.ConfigException.class, () -> EdgeFiles.start(dir, """
                _format_version: "3.0"
                services:
                  - name: s
                    url: http://127.0.0.1:1
                    routes:
                      - name: r
                        paths: [/r]
                        headers: {x-version: ["2"]}
                """));
        assertThat(e.errors().getFirst().path(), is("services[0].routes[0].headers"));
        assertThat(e.errors().getFirst().message(), containsString("local edge refuses to start"));
        assertThat(List.of(e.getMessage()).toString(), not(containsString("null")));
    }
}
