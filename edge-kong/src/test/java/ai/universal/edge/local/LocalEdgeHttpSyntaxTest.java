package ai.universal.edge.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import static org.hamcrest.Matchers.startsWith;

/**
 * The proxy port checks Host and response headers itself (Helidon's checks are off there): these are the cases
 * those checks exist for.
 */
class LocalEdgeHttpSyntaxTest {
    @TempDir
    static Path dir;
    private static Backend backend;
    private static ServerSocket rawService;
    private static LocalEdge edge;

    @BeforeAll
    static void start() throws Exception {
        backend = new Backend();
        rawService = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(LocalEdgeHttpSyntaxTest::serveBadHeaders);
        edge = EdgeFiles.start(dir, """
                _format_version: "3.0"
                services:
                  - name: backend
                    url: http://127.0.0.1:%d
                    routes:
                      - name: api
                        paths: [/api]
                        strip_path: false
                      - name: injected
                        paths: [/injected]
                        plugins:
                          - name: request-termination
                            config:
                              status_code: 200
                              body: "ok"
                              content_type: "text/plain\\r\\nX-Injected: 1"
                  - name: raw
                    url: http://127.0.0.1:%d
                    routes:
                      - name: raw
                        paths: [/raw]
                """.formatted(backend.port(), rawService.getLocalPort()));
    }

    @AfterAll
    static void stop() throws IOException {
        edge.close();
        backend.close();
        rawService.close();
    }

    /** A service that answers every request with a header value holding a control character. */
    private static void serveBadHeaders() {
        while (!rawService.isClosed()) {
            try (Socket s = rawService.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // read the request head
                }
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 2\r\n\r\n{}"
                                                  .getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
            } catch (IOException e) {
                // closed at the end of the test
            }
        }
    }

    /**
     * One request on a raw socket; the answer is read to the end of its Content-Length body (Helidon 4.5.0 keeps a
     * connection open after {@code Connection: close}, so the socket's end cannot mark it).
     */
    private static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", edge.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            Matcher length = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(head);
            byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
            return head + new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void http11WithoutHostIs400() throws IOException {
        String r = raw("GET /api/x HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertThat(r, startsWith("HTTP/1.1 400"));
        assertThat(r, containsString("{\"message\":\"Bad request\",\"detail\":\"Host header must be present in the request\"}"));
    }

    @Test
    void anEmptyHostIs400NotA500() throws IOException {
        int before = backend.requests();
        String r = raw("GET /api/x HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n");
        assertThat(r, startsWith("HTTP/1.1 400"));
        assertThat(r, containsString("{\"message\":\"Bad request\",\"detail\":\"Host header must not be empty\"}"));
        assertThat(backend.requests(), is(before));
    }

    @Test
    void twoHostHeadersAre400() throws IOException {
        String r = raw("GET /api/x HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nConnection: close\r\n\r\n");
        assertThat(r, startsWith("HTTP/1.1 400"));
        assertThat(r, containsString("Only a single Host header is allowed in request"));
    }

    @Test
    void malformedHostIs400AndNeverReachesTheService() throws IOException {
        int before = backend.requests();
        for (String host : new String[] {"a/b", "a@b", "[::1", "host:99999999"}) {
            String r = raw("GET /api/x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertThat(host, r, startsWith("HTTP/1.1 400"));
            assertThat(host, r, containsString("Invalid Host header"));
        }
        assertThat(backend.requests(), is(before));
    }

    @Test
    void aValidHostWithPortIsProxied() throws IOException {
        String r = raw("GET /api/x HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n");
        assertThat(r, startsWith("HTTP/1.1 200"));
    }

    @Test
    void aServiceHeaderWithAControlCharacterIs502() {
        HttpResponse<String> r = Http.get("http://127.0.0.1:" + edge.port() + "/raw");
        assertThat(r.statusCode(), is(502));
        assertThat(r.body(), containsString("An invalid response was received from the upstream server"));
        assertThat(r.headers().firstValue("X-Bad").isPresent(), is(false));
    }

    @Test
    void aConfiguredHeaderValueWithCrLfIsLeftOutNotInjected() throws IOException {
        String r = raw("GET /injected HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
        assertThat(r, startsWith("HTTP/1.1 200"));
        assertThat(r, not(containsString("X-Injected")));
        assertThat(r, not(containsString("text/plain")));
        assertThat(r, containsString("\r\n\r\nok"));
    }
}
