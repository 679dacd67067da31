package ai.universal.kit;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, the server span of a request reaches an OTLP/HTTP receiver (a collector's
 * {@code POST /v1/traces}), carrying the trace id the caller sent in {@code traceparent}.
 */
@ExtendWith(RealInfra.class)
class TraceExportTest {

    @Test
    void serverSpansAreExportedOverOtlpWithTheCallersTraceId(TestInfra.Infra infra) throws Exception {
        CompletableFuture<byte[]> exported = new CompletableFuture<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                exported.complete(in.readAllBytes());
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        TestAuthServer auth = TestAuthServer.start();
        Map<String, String> env = new HashMap<>(infra.environment());
        env.putAll(auth.environment());
        env.put("KIT_TEST_PORT", "0");
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort());
        RunningService service = ServiceRunner.start(new NotesApp(), ServiceRunner.environment(env, System::getenv));
        try {
            String traceId = "0af7651916cd43dd8448eb211c80319c";
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(service.baseUrl() + "/health"))
                            .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            service.stop();     // flushes the batch span processor
            byte[] body = exported.get(30, TimeUnit.SECONDS);
            // OTLP protobuf carries the trace id as 16 raw bytes
            assertTrue(indexOf(body, java.util.HexFormat.of().parseHex(traceId)) >= 0, "exported span has the caller's trace id");
        } finally {
            service.stop();
            auth.close();
            collector.stop(0);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
