package ai.universal.edge.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import ai.universal.edge.testing.Backend;
import ai.universal.edge.testing.EdgeFiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy port's own listener: keep-alive, pipelining, bodies, the 500 of a failing handler, the platform-thread cap,
 * idle connections, and the tunnel to Helidon for what it does not serve itself — standalone with a plain handler, and
 * in a running edge (the client's address reaches the service the same way on both paths).
 */
class ProxyListenerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A client address other than the tunnel's own 127.0.0.1, so the PROXY line's address can be told apart. */
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress().getHostAddress().contains(":")
            ? InetAddress.getLoopbackAddress() : address("127.0.0.2");

    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Map<String, Boolean> virtual = new ConcurrentHashMap<>();
    private final List<String> tunnelled = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** Answers {@code METHOD path?query client=IP body=...}; /skip leaves the body unread, /boom fails, /stream streams. */
    private void handle(ProxyIo.Request req, ProxyIo.Response res) {
        virtual.put(req.rawPath(), Thread.currentThread().isVirtual());
        if (req.rawPath().startsWith("/redis")) {
            res.preferVirtualThread();
        }
        if (req.rawPath().equals("/boom")) {
            throw new IllegalStateException("handler failure");
        }
        try {
            if (req.rawPath().equals("/stream")) {
                res.header(HeaderValues.create("Content-Type", "text/plain"));
                try (OutputStream out = res.outputStream()) {
                    out.write("one,".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    out.write("two".getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            String body = req.rawPath().equals("/skip") || !req.hasEntity() ? ""
                    : new String(req.body().readAllBytes(), StandardCharsets.UTF_8);
            res.header(HeaderValues.create("Content-Type", "text/plain"));
            res.send((req.method() + " " + req.rawPath() + (req.rawQuery() == null ? "" : "?" + req.rawQuery())
                    + " client=" + req.client().getAddress().getHostAddress() + " body=" + body)
                             .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Stands in for Helidon behind the tunnel: records what arrives, answers every connection with "tunnel". */
    private int fakeHelidon() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        closing.add(server);
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    tunnelled.add(readHead(s.getInputStream()));
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ntunnel"
                                                      .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }
        });
        return server.getLocalPort();
    }

    private ProxyListener listener(int maxPlatform, long idleNanos) throws IOException {
        ProxyListener listener = new ProxyListener("0.0.0.0", 0, fakeHelidon(), this::handle, maxPlatform, idleNanos);
        closing.add(listener);
        return listener;
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(CLIENT, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void write(Socket socket, String data) throws IOException {
        socket.getOutputStream().write(data.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws IOException {
        ProxyListener listener = listener(8, ProxyListener.IDLE_TIMEOUT_NANOS);
        try (Socket s = connect(listener.port())) {
            write(s, "GET /a?x=1 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            InputStream in = s.getInputStream();
            String ip = CLIENT.getHostAddress();
            Reply first = Reply.read(in);
            assertEquals("GET /a?x=1 client=" + ip + " body=", first.body);
            assertEquals("keep-alive", first.header("connection"));
            assertEquals(200, first.status);
            assertEquals("POST /b client=" + ip + " body=abc", Reply.read(in).body);
            Reply third = Reply.read(in);
            assertEquals("GET /c client=" + ip + " body=", third.body);
            assertEquals("close", third.header("connection"));
            assertEquals(-1, in.read(), "closed after Connection: close");
        }
    }

    @Test
    void anUnreadSmallBodyIsSkippedAndALargeOneClosesTheConnection() throws IOException {
        ProxyListener listener = listener(8, ProxyListener.IDLE_TIMEOUT_NANOS);
        try (Socket s = connect(listener.port())) {
            write(s, "POST /skip HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789"
                    + "GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
            InputStream in = s.getInputStream();
            assertTrue(Reply.read(in).body.startsWith("POST /skip "));
            assertTrue(Reply.read(in).body.startsWith("GET /next "), "the next request after a skipped body");
            write(s, "POST /skip HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\nonly the start");
            assertTrue(Reply.read(in).body.startsWith("POST /skip "));
            assertEquals(-1, in.read(), "a large unread body is not read through: the connection closes");
        }
    }

    @Test
    void aStreamedBodyIsChunkedAndHeadGetsNoBody() throws IOException {
        ProxyListener listener = listener(8, ProxyListener.IDLE_TIMEOUT_NANOS);
        try (Socket s = connect(listener.port())) {
            write(s, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\nHEAD /h HTTP/1.1\r\nHost: t\r\n\r\n");
            InputStream in = s.getInputStream();
            Reply streamed = Reply.read(in);
            assertEquals("chunked", streamed.header("transfer-encoding"));
            assertEquals("one,two", streamed.body);
            String head = readHead(in);
            assertTrue(head.toLowerCase(Locale.ROOT).contains("content-length: "), head);
            write(s, "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(Reply.read(in).body.startsWith("GET /after "), "no body bytes were left after HEAD's head");
        }
    }

    @Test
    void aFailingHandlerAnswers500AndClosesTheConnection() throws IOException {
        ProxyListener listener = listener(8, ProxyListener.IDLE_TIMEOUT_NANOS);
        try (Socket s = connect(listener.port())) {
            write(s, "GET /boom HTTP/1.1\r\nHost: t\r\n\r\n");
            Reply reply = Reply.read(s.getInputStream());
            assertEquals(500, reply.status);
            assertEquals("{\"message\":\"An unexpected error occurred\"}", reply.body);
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void whatItDoesNotServeGoesThroughTheTunnelWithTheClientsAddress() throws IOException {
        ProxyListener listener = listener(8, ProxyListener.IDLE_TIMEOUT_NANOS);
        try (Socket s = connect(listener.port())) {
            // served here first, then a chunked body: from that request on, the connection is Helidon's
            write(s, "GET /here HTTP/1.1\r\nHost: t\r\n\r\n");
            InputStream in = s.getInputStream();
            assertTrue(Reply.read(in).body.startsWith("GET /here "));
            write(s, "POST /there HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
            assertEquals("tunnel", Reply.read(in).body);
            String received = tunnelled.getFirst();
            String family = CLIENT.getAddress().length == 4 ? "TCP4" : "TCP6";
            assertTrue(received.startsWith("PROXY " + family + " " + CLIENT.getHostAddress() + " "), received);
            assertTrue(received.contains("\r\nPOST /there HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"), received);
            assertFalse(received.contains("/here"), received);
        }
        for (String odd : List.of("GET /x HTTP/1.0\r\n\r\n", "get /x HTTP/1.1\r\nHost: t\r\n\r\n",
                                  "GET /x HTTP/1.1\nHost: t\n\n", "GET /x HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n",
                                  "GET /a/../x HTTP/1.1\r\nHost: t\r\n\r\n", "GET /x?a[]=1 HTTP/1.1\r\nHost: t\r\n\r\n",
                                  "GET /x HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                                  "GET /x HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(ProxyConnection.HEAD_MAX) + "\r\n\r\n")) {
            try (Socket s = connect(listener.port())) {
                write(s, odd);
                assertEquals("tunnel", Reply.read(s.getInputStream()).body, odd.substring(0, Math.min(30, odd.length())));
            }
        }
    }

    @Test
    void connectionsBeyondThePlatformCapRunOnVirtualThreads() throws IOException {
        ProxyListener listener = listener(1, ProxyListener.IDLE_TIMEOUT_NANOS);
        try (Socket first = connect(listener.port()); Socket second = connect(listener.port())) {
            write(first, "GET /first HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(Reply.read(first.getInputStream()).body.startsWith("GET /first "));
            // the first connection keeps its platform thread while it waits for its next request
            write(second, "GET /second HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(Reply.read(second.getInputStream()).body.startsWith("GET /second "));
            assertEquals(false, virtual.get("/first"));
            assertEquals(true, virtual.get("/second"));
        }
    }

    @Test
    void aConnectionWhosePluginsWaitOnTheNetworkGoesOnOnAVirtualThread() throws IOException {
        ProxyListener listener = listener(8, ProxyListener.IDLE_TIMEOUT_NANOS);
        try (Socket s = connect(listener.port())) {
            InputStream in = s.getInputStream();
            write(s, "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(Reply.read(in).body.startsWith("GET /plain "));
            write(s, "GET /redis-1 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(Reply.read(in).body.startsWith("GET /redis-1 "));
            write(s, "POST /redis-2 HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok");
            assertEquals("POST /redis-2 client=" + CLIENT.getHostAddress() + " body=ok", Reply.read(in).body);
            write(s, "GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertTrue(Reply.read(in).body.startsWith("GET /last "));
            assertEquals(-1, in.read(), "the virtual thread closes the connection too");
        }
        assertEquals(false, virtual.get("/plain"));
        assertEquals(false, virtual.get("/redis-1"), "the request that asked is still served where it began");
        assertEquals(true, virtual.get("/redis-2"));
        assertEquals(true, virtual.get("/last"));
    }

    @Test
    void onlyRateLimitingThatWaitsOnRedisPerRequestAsksForAVirtualThread() throws Exception {
        String yaml = """
                _format_version: "3.0"
                services:
                  - name: s
                    url: http://127.0.0.1:1
                    routes:
                      - name: sync
                        paths: [/sync]
                        plugins:
                          - name: rate-limiting
                            config: {minute: 100, policy: redis, redis: {host: 127.0.0.1, port: 6379}}
                      - name: synced
                        paths: [/synced]
                        plugins:
                          - name: rate-limiting
                            config: {minute: 100, policy: redis, sync_rate: 1, redis: {host: 127.0.0.1, port: 6379}}
                      - name: local
                        paths: [/local]
                        plugins:
                          - name: rate-limiting
                            config: {minute: 100, policy: local}
                """;
        try (EdgeResources resources = new EdgeResources()) {
            EdgeRuntime rt = EdgeRuntime.compile(ai.universal.edge.config.DeclarativeValidator.load(yaml, n -> null),
                                                 resources);
            Map<String, Boolean> waits = new ConcurrentHashMap<>();
            for (String path : List.of("/sync", "/synced", "/local")) {
                waits.put(path, rt.router().match("GET", null, path).target().plugins().stream()
                        .anyMatch(ai.universal.edge.plugins.EdgePlugin::waitsOnNetwork));
            }
            assertEquals(Map.of("/sync", true, "/synced", false, "/local", false), waits);
        }
    }

    @Test
    void anIdleConnectionIsClosedAndCloseEndsTheRest() throws IOException {
        ProxyListener listener = listener(8, TimeUnit.MILLISECONDS.toNanos(100));
        try (Socket s = connect(listener.port())) {
            write(s, "GET /once HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(Reply.read(s.getInputStream()).body.startsWith("GET /once "));
            assertEquals(-1, s.getInputStream().read(), "closed by the idle timeout");
        }
        ProxyListener other = listener(8, ProxyListener.IDLE_TIMEOUT_NANOS);
        try (Socket s = connect(other.port())) {
            write(s, "GET /open HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(Reply.read(s.getInputStream()).body.startsWith("GET /open "));
            other.close();
            assertEquals(-1, s.getInputStream().read(), "closed with the listener");
        }
    }

    @Test
    void theServiceSeesTheClientsAddressOnBothPathsOfARunningEdge() throws Exception {
        Backend backend = new Backend();
        closing.add(backend);
        Path file = Files.writeString(dir.resolve("kong.yml"), EdgeFiles.allTo(backend.port()));
        for (boolean own : new boolean[] {true, false}) {
            LocalEdge edge = LocalEdge.start(LocalEdge.Options.of(file, 0, 0).withEnv(n -> null).withWatch(false), own);
            closing.add(edge);
            String ip = CLIENT.getHostAddress();
            try (Socket s = connect(edge.port())) {
                write(s, "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n");
                JsonNode plain = JSON.readTree(Reply.read(s.getInputStream()).body);
                assertEquals(ip, plain.at("/headers/x-real-ip").asText(), "own listener " + own);
                assertEquals(ip, plain.at("/headers/x-forwarded-for").asText(), "own listener " + own);
                // a chunked body: through the tunnel when the edge's own listener serves the port, and the rest of
                // the connection with it
                write(s, "POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
                JsonNode chunked = JSON.readTree(Reply.read(s.getInputStream()).body);
                assertEquals(ip, chunked.at("/headers/x-real-ip").asText(), "own listener " + own);
                assertEquals(ip, chunked.at("/headers/x-forwarded-for").asText(), "own listener " + own);
                assertEquals(String.valueOf(edge.port()), chunked.at("/headers/x-forwarded-port").asText());
                write(s, "GET /after HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n");
                JsonNode after = JSON.readTree(Reply.read(s.getInputStream()).body);
                assertEquals("203.0.113.9, " + ip, after.at("/headers/x-forwarded-for").asText(), "own listener " + own);
                assertEquals(5, chunked.at("/bodyLength").asInt());
            }
        }
    }

    @Test
    void aHeadAnswerCarriesTheServicesContentLengthOnBothListeners() throws Exception {
        // a service whose GET body is the same for every request, so its HEAD answer's length is known
        WebServer service = WebServer.builder().host("127.0.0.1").port(0)
                .routing(HttpRouting.builder().any((req, res) -> res.send("twelve bytes"))).build().start();
        closing.add(service::stop);
        Path file = Files.writeString(dir.resolve("kong.yml"), EdgeFiles.allTo(service.port()));
        String direct;
        try (Socket s = connect(service.port())) {
            write(s, "HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n");
            direct = headerOf(readHead(s.getInputStream()), "content-length");
        }
        assertEquals("12", direct, "the service gives a HEAD the length of its GET body");
        for (boolean own : new boolean[] {true, false}) {
            LocalEdge edge = LocalEdge.start(LocalEdge.Options.of(file, 0, 0).withEnv(n -> null).withWatch(false), own);
            closing.add(edge);
            try (Socket s = connect(edge.port())) {
                write(s, "HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n");
                String head = readHead(s.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200 "), head);
                assertEquals(direct, headerOf(head, "content-length"), "own listener " + own + ": " + head);
                // no body followed the head: the next answer on the connection is the next request's
                write(s, "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals("twelve bytes", Reply.read(s.getInputStream()).body, "own listener " + own);
            }
        }
    }

    private static String headerOf(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** Reads up to and including the first blank line (CRLF CRLF, or LF LF for the bare-LF request). */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n") || text.endsWith("\n\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One HTTP/1.1 response read off a stream: status, headers, a Content-Length or chunked body. */
    private record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }

        static Reply read(InputStream in) throws IOException {
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new ConcurrentHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equals(headers.get("transfer-encoding"))) {
                while (true) {
                    StringBuilder size = new StringBuilder();
                    for (int b = in.read(); b != '\n'; b = in.read()) {
                        if (b != '\r') {
                            size.append((char) b);
                        }
                    }
                    int n = Integer.parseInt(size.toString(), 16);
                    body.write(in.readNBytes(n));
                    in.readNBytes(2);
                    if (n == 0) {
                        break;
                    }
                }
            } else if (headers.containsKey("content-length")) {
                body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            }
            return new Reply(status, headers, body.toString(StandardCharsets.UTF_8));
        }
    }
}
