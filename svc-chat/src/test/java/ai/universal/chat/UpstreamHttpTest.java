package ai.universal.chat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The upstream HTTP client against upstreams that behave badly at the connection level. */
class UpstreamHttpTest {
    private static final String ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1741569952,"
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";

    @Test
    void pooledConnectionTheUpstreamClosesWhenItIsReusedIsReplacedByAFreshOne() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             UpstreamHttp http = new UpstreamHttp(Duration.ofSeconds(5))) {
            Thread.ofVirtual().start(() -> answerOnceThenClose(server, connections));
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");
            for (int i = 0; i < 3; i++) {
                JsonNode answer = http.postJson(uri, Map.of(), Map.of("model", "gpt-4o-mini"), Duration.ofSeconds(5));
                assertEquals("Hi", OpenAiWire.completion(answer).text(), "call " + i);
            }
            assertEquals(3, connections.get(), "each reused connection failed once and was replaced");
        }
    }

    @Test
    void aStreamReadToItsLastEventGivesItsConnectionBackToThePool() throws Exception {
        try (SseUpstream upstream = new SseUpstream(false);
             UpstreamHttp http = new UpstreamHttp(Duration.ofSeconds(5))) {
            for (int i = 0; i < 3; i++) {
                assertEquals("Hi there", streamText(http, upstream), "stream " + i);
                awaitDrained(http);
            }
            assertEquals(3, upstream.requests.get());
            assertEquals(1, upstream.connections.get(), "all three streams on one kept-alive connection");
        }
    }

    @Test
    void anUpstreamThatKeepsTheBodyOpenAfterItsLastEventDoesNotDelayTheAnswer() throws Exception {
        try (SseUpstream upstream = new SseUpstream(true);
             UpstreamHttp http = new UpstreamHttp(Duration.ofSeconds(30))) {
            assertEquals("Hi there", streamText(http, upstream));
            assertFalse(upstream.endSent.get(), "the answer was complete before the upstream ended its body");
            upstream.release.countDown();
            awaitDrained(http);
            assertEquals("Hi there", streamText(http, upstream));
            assertEquals(1, upstream.connections.get(), "the body's late end was read and the connection kept");
        }
    }

    @Test
    void aStreamClosedBeforeItsLastEventClosesItsConnection() throws Exception {
        try (SseUpstream upstream = new SseUpstream(false);
             UpstreamHttp http = new UpstreamHttp(Duration.ofSeconds(5))) {
            try (UpstreamHttp.StreamLines lines = http.postStream(upstream.uri(), Map.of(), Map.of("stream", true),
                                                                  Duration.ofSeconds(5), "text/event-stream")) {
                assertTrue(UpstreamHttp.readLine(lines).startsWith("data: "));
            }
            assertTrue(upstream.hangUps.await(10, TimeUnit.SECONDS), "the abandoned connection was closed");
            assertEquals("Hi there", streamText(http, upstream));
            assertEquals(2, upstream.connections.get());
        }
    }

    private static String streamText(UpstreamHttp http, SseUpstream upstream) {
        StringBuilder text = new StringBuilder();
        OpenAiWire.stream(http, upstream.base(), null, "gpt-4o-mini", ChatRequest.parse(Json.MAPPER.createObjectNode()
                .put("model", "m").set("messages", Json.MAPPER.createArrayNode().add(Json.MAPPER.createObjectNode()
                        .put("role", "user").put("content", "hi")))), Duration.ofSeconds(30), event -> {
            if (event instanceof StreamEvent.Text t) {
                text.append(t.text());
            }
        });
        return text.toString();
    }

    private static void awaitDrained(UpstreamHttp http) throws InterruptedException {
        for (int i = 0; i < 1000 && http.draining(); i++) {
            Thread.sleep(10);
        }
        assertFalse(http.draining(), "the finished stream's connection was read to its end");
    }

    /**
     * An OpenAI-compatible upstream that streams every request on a keep-alive connection as chunked SSE (role, two
     * content chunks, finish, {@code [DONE]}, then the zero-length last chunk), counting connections and requests. With
     * {@code holdEnd} it sends the last chunk only after {@link #release}, as a server that keeps its body open past
     * the last event would.
     */
    private static final class SseUpstream implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        final AtomicBoolean endSent = new AtomicBoolean();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch hangUps = new CountDownLatch(1);
        private final ServerSocket server;
        private final boolean holdEnd;

        SseUpstream(boolean holdEnd) throws IOException {
            this.holdEnd = holdEnd;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::accept);
        }

        String base() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
        }

        URI uri() {
            return URI.create(base() + "/chat/completions");
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(socket));
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                while (readRequest(in)) {
                    requests.incrementAndGet();
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      .getBytes(StandardCharsets.US_ASCII));
                    String prefix = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,";
                    chunk(out, prefix + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}");
                    chunk(out, prefix + "\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}");
                    chunk(out, prefix + "\"delta\":{\"content\":\" there\"},\"finish_reason\":null}]}");
                    chunk(out, prefix + "\"delta\":{},\"finish_reason\":\"stop\"}]}");
                    chunk(out, "[DONE]");
                    if (holdEnd && requests.get() == 1) {
                        release.await();
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    endSent.set(true);
                }
                hangUps.countDown();
            } catch (IOException e) {
                hangUps.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void chunk(OutputStream out, String data) throws IOException {
            byte[] event = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(event);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            server.close();
        }
    }

    /**
     * An HTTP/1.1 upstream that answers the first request of a connection with a keep-alive response (no
     * {@code Connection: close}) and closes the connection without an answer when the next request arrives on it — what
     * a client sees when a server's idle timeout closes a pooled connection just as it is reused.
     */
    private static void answerOnceThenClose(ServerSocket server, AtomicInteger connections) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                connections.incrementAndGet();
                readRequest(socket.getInputStream());
                byte[] body = ANSWER.getBytes(StandardCharsets.UTF_8);
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                                  .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                readRequest(socket.getInputStream());
            } catch (IOException e) {
                // server closed at the end of the test, or the client went away
            }
        }
    }

    /** Read one request (head and Content-Length body); false when the client closed the connection instead. */
    private static boolean readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return head.size() > 0;
    }
}
