package ai.universal.hub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A WebSocket test client on java.net.http: collects every frame, waits for the ones a test expects (with a
 * deadline), can stop reading (a slow consumer) and reports the close code.
 */
final class HubClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<JsonNode> frames = new ArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;
    private volatile boolean paused;
    private volatile boolean demandOwed;
    private int nextId;

    /**
     * How the connection ended.
     *
     * @param code   close code (-1 when it failed without one)
     * @param reason reason or error
     */
    record Closed(int code, String reason) {
    }

    static HubClient connect(String url, String token) {
        return connect(url, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), List.of());
    }

    static HubClient connect(String url, Map<String, String> headers, List<String> subprotocols) {
        HubClient client = new HubClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.getFirst(), subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        client.socket = builder.buildAsync(URI.create(url), client.listener()).orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    WebSocket socket() {
        return socket;
    }

    int nextId() {
        return ++nextId;
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /**
     * Send a frame with a fresh id and wait for the reply carrying that id.
     *
     * @param json frame without the id, e.g. {@code "type":"subscribe","channel":"room:x"}
     * @return reply
     */
    JsonNode request(String json) {
        int id = nextId();
        send("{\"id\":" + id + "," + json + "}");
        return await(f -> f.path("id").asInt(-1) == id);
    }

    JsonNode subscribe(String channel) {
        JsonNode reply = request("\"type\":\"subscribe\",\"channel\":\"" + channel + "\"");
        if (!"ok".equals(reply.path("type").asText())) {
            fail("subscribe " + channel + " failed: " + reply);
        }
        return reply;
    }

    JsonNode publish(String channel, String data) {
        return request("\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + data);
    }

    /**
     * Wait for (and take) the first frame matching.
     *
     * @param match predicate
     * @return frame
     */
    JsonNode await(Predicate<JsonNode> match) {
        return await(match, WAIT);
    }

    JsonNode await(Predicate<JsonNode> match, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (true) {
                for (int i = 0; i < frames.size(); i++) {
                    if (match.test(frames.get(i))) {
                        return frames.remove(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.isDone() && !hasMatch(match)) {
                    fail("no matching frame within " + wait + "; have " + frames + (closed.isDone() ? ", closed "
                            + closed.join() : ""));
                }
                arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    JsonNode awaitType(String type) {
        return await(f -> type.equals(f.path("type").asText()));
    }

    /**
     * Messages on a channel received so far (taken).
     *
     * @param channel channel
     * @param count   how many to wait for
     * @return messages in arrival order
     */
    List<JsonNode> messages(String channel, int count) {
        List<JsonNode> result = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            result.add(await(f -> "message".equals(f.path("type").asText()) && channel.equals(f.path("channel").asText())));
        }
        return result;
    }

    /**
     * Frames received and not taken yet.
     *
     * @return copy
     */
    List<JsonNode> pending() {
        lock.lock();
        try {
            return List.copyOf(frames);
        } finally {
            lock.unlock();
        }
    }

    Closed awaitClose() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** Stop reading from the socket (the server's writes back up). */
    void pause() {
        paused = true;
    }

    /** Read again. */
    void resume() {
        paused = false;
        if (demandOwed) {
            demandOwed = false;
            socket.request(1);
        }
    }

    private boolean hasMatch(Predicate<JsonNode> match) {
        return frames.stream().anyMatch(match);
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    JsonNode node;
                    try {
                        node = Frames.MAPPER.readTree(partial.toString());
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("server sent invalid JSON: " + partial, e);
                    }
                    partial.setLength(0);
                    lock.lock();
                    try {
                        frames.add(node);
                        arrived.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
                demand(webSocket);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                demand(webSocket);
                return null;
            }

            @Override
            public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
                demand(webSocket);
                return null;
            }

            @Override
            public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
                demand(webSocket);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                finish(new Closed(statusCode, reason));
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                finish(new Closed(-1, String.valueOf(error)));
            }
        };
    }

    private void demand(WebSocket webSocket) {
        if (paused) {
            demandOwed = true;
        } else {
            webSocket.request(1);
        }
    }

    private void finish(Closed how) {
        closed.complete(how);
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.abort();
        }
    }
}
