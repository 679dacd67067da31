package ai.universal.bench.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OpenAI-compatible upstream with fixed behaviour: every answer starts after {@code latencyMs}; a non-streamed
 * answer is one JSON body; a streamed one is a role chunk, {@code tokens} content chunks {@code gapMs} apart, a finish
 * chunk, a usage chunk and {@code [DONE]}. Model {@code hold} streams slowly (one token per {@code holdGapMs}) so that
 * many streams stay open at once.
 */
final class FixedLatencyUpstream implements AutoCloseable {
    private final HttpServer server;
    private final long latencyMs;
    private final int tokens;
    private final long gapMs;
    private final int holdTokens;
    private final long holdGapMs;

    FixedLatencyUpstream(long latencyMs, int tokens, long gapMs, int holdTokens, long holdGapMs) throws IOException {
        this.latencyMs = latencyMs;
        this.tokens = tokens;
        this.gapMs = gapMs;
        this.holdTokens = holdTokens;
        this.holdGapMs = holdGapMs;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        boolean stream = body.contains("\"stream\":true");
        boolean hold = body.contains("\"model\":\"hold\"");
        sleep(latencyMs);
        if (!stream) {
            byte[] answer = ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1741569952,\"model\":\"bench\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + "tok ".repeat(tokens).strip()
                    + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
                    + "\"completion_tokens\":" + tokens + ",\"total_tokens\":" + (12 + tokens) + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        String prefix = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"bench\",\"choices\":[";
        int n = hold ? holdTokens : tokens;
        long gap = hold ? holdGapMs : gapMs;
        try (OutputStream out = ex.getResponseBody()) {
            write(out, prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sleep(gap);
                }
                write(out, prefix + "{\"index\":0,\"delta\":{\"content\":\"tok \"},\"finish_reason\":null}]}\n\n");
            }
            write(out, prefix + "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
            write(out, prefix + "],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":" + n + ",\"total_tokens\":" + (12 + n)
                    + "}}\n\n");
            write(out, "data: [DONE]\n\n");
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
