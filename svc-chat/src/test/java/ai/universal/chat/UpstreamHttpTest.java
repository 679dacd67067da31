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
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    private static void readRequest(InputStream in) throws IOException {
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
    }
}
