package ai.universal.bench.chat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The least a Helidon SE gateway can add: a bare relay on the same server and client libraries as svc-chat (Helidon
 * WebServer, Helidon's pooled HTTP/1.1 client, TCP_NODELAY both ways), which copies the request body to the upstream
 * and the answer back — no auth, no parsing, no limits, no records. A peer for svc-chat's added latency: what it adds
 * is the hop itself (two more loopback connections and their thread wake-ups) on this machine.
 * Usage: {@code java -cp … HelidonRelay PORT UPSTREAM_URL}
 */
public final class HelidonRelay {
    private HelidonRelay() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        URI upstream = URI.create(args[1]);
        Http1Client client = Http1Client.builder()
                .socketOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .shareConnectionCache(false)
                .connectionCacheSize(512)
                .build();
        HttpRouting.Builder routing = HttpRouting.builder()
                .post("/v1/chat/completions", (req, res) -> relay(client, upstream, req, res));
        WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .featuresDiscoverServices(false)
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                .addRouting(routing)
                .build()
                .start();
    }

    private static void relay(Http1Client client, URI upstream, ServerRequest req, ServerResponse res) throws Exception {
        byte[] body = req.content().as(byte[].class);
        try (Http1ClientResponse answer = client.post().uri(upstream)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .submit(body)) {
            String type = answer.headers().contentType().map(Object::toString).orElse("application/json");
            res.header(HeaderNames.CONTENT_TYPE, type);
            if (!type.startsWith("text/event-stream")) {
                res.send(answer.entity().as(byte[].class));
                return;
            }
            try (InputStream in = answer.inputStream(); OutputStream out = res.outputStream()) {
                byte[] buffer = new byte[1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        }
    }
}
