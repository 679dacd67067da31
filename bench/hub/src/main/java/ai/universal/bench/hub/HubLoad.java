package ai.universal.bench.hub;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.universal.kit.infra.TestAuthServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Load driver for svc-hub and its peer (a minimal Node.js ws broadcast server), same scenarios against both:
 * <ol>
 *     <li>idle connections: open N WebSocket connections, each subscribed to one room; report how many the server held,
 *     its heap after a full GC (svc-hub runs with -Xmx1g) and resident memory;</li>
 *     <li>broadcast: one publisher, R rounds of one message to all N subscribers; delivery latency p50/p99 over every
 *     delivery (send time stamped in the message, same JVM clock);</li>
 *     <li>per-channel publish throughput: one publisher, one subscriber, publishes pipelined (256 unacknowledged)
 *     for S seconds; messages delivered per second.</li>
 * </ol>
 * Usage: {@code HubLoad <hub jar> <peer script> [N=10000] [rounds=20] [seconds=10]}; needs Redis (REDIS_URL).
 * {@code HUB_JVM_OPTS} adds JVM options to svc-hub's command line (e.g. a JFR recording for profiling).
 */
public final class HubLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private HubLoad() {
    }

    record Result(String target, int requested, int held, double connectSeconds, long heapMiB, long rssMiB, long p50Micros,
                  long p99Micros, long maxMicros, int deliveries, int expected, double throughput) {
    }

    /**
     * Run.
     *
     * @param args hub jar, peer script, N, rounds, seconds
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path peer = Path.of(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        String redis = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
        List<Result> results = new ArrayList<>();
        try (TestAuthServer auth = TestAuthServer.start()) {
            String token = auth.token("bench", List.of("user"), "*");
            int port = freePort();
            Map<String, String> env = new LinkedHashMap<>(auth.environment());
            env.put("HUB_PORT", Integer.toString(port));
            env.put("REDIS_URL", redis);
            env.put("REDIS_KEY_PREFIX", "uat:hubbench:" + UUID.randomUUID().toString().substring(0, 8) + ":");
            env.put("HUB_MAX_CONNECTIONS_PER_USER", "1000000");
            env.put("HUB_PUBLISH_RATE", "1000000");
            env.put("HUB_PUBLISH_BURST", "1000000");
            env.put("HUB_JOIN_LEAVE_NAMESPACES", "");
            List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx1g", "-Xms256m"));
            String extra = System.getenv("HUB_JVM_OPTS");
            if (extra != null && !extra.isBlank()) {
                command.addAll(Arrays.asList(extra.trim().split("\\s+")));
            }
            command.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder hub = new ProcessBuilder(command);
            hub.environment().putAll(env);
            hub.redirectErrorStream(true).redirectOutput(Files.createTempFile("hub-bench", ".log").toFile());
            results.add(measure("svc-hub", hub, "ws://127.0.0.1:" + port + "/v1/hub/ws", token,
                                "http://127.0.0.1:" + port + "/health", true, n, rounds, seconds));
            int peerPort = freePort();
            ProcessBuilder node = new ProcessBuilder("node", peer.toString(), Integer.toString(peerPort));
            node.redirectErrorStream(true).redirectOutput(Files.createTempFile("hub-peer", ".log").toFile());
            results.add(measure("node ws", node, "ws://127.0.0.1:" + peerPort, null, null, false, n, rounds, seconds));
        }
        print(results);
    }

    private static Result measure(String target, ProcessBuilder server, String url, String token, String health,
                                  boolean jvm, int n, int rounds, int seconds) throws Exception {
        Process process = server.start();
        try {
            awaitUp(url, health);
            System.out.println("== " + target + ": connecting " + n);
            List<Client> clients = new ArrayList<>();
            Semaphore inFlight = new Semaphore(256);
            long start = System.nanoTime();
            AtomicInteger failed = new AtomicInteger();
            List<CompletableFuture<Client>> pending = new ArrayList<>();
            for (int i = 0; i < n && failed.get() == 0; i++) {
                inFlight.acquire();
                pending.add(Client.open(url, token, "room:bench").whenComplete((c, e) -> {
                    inFlight.release();
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                }));
            }
            for (CompletableFuture<Client> f : pending) {
                try {
                    clients.add(f.get(60, TimeUnit.SECONDS));
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            System.out.println("   held " + clients.size() + " (" + failed.get() + " failed) in " + connectSeconds + " s");
            long heap = jvm ? heapAfterGc(process.pid()) : -1;
            long rss = rss(process.pid());

            Client publisher = Client.open(url, token, null).get(30, TimeUnit.SECONDS);
            long[] latencies = new long[clients.size() * rounds];
            AtomicInteger delivered = new AtomicInteger();
            for (Client c : clients) {
                c.onMessage = (node, now) -> {
                    int i = delivered.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[i] = now - node.get("data").get("t").asLong();
                    }
                };
            }
            for (int r = 0; r < rounds; r++) {
                int target0 = (r + 1) * clients.size();
                publisher.send("{\"id\":" + r + ",\"type\":\"publish\",\"channel\":\"room:bench\",\"data\":{\"t\":"
                                       + System.nanoTime() + ",\"r\":" + r + "}}");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (delivered.get() < target0 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(200_000);
                }
            }
            int deliveries = Math.min(delivered.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, deliveries);
            Arrays.sort(sorted);
            System.out.println("   broadcast: " + deliveries + " of " + latencies.length + " deliveries");
            for (Client c : clients) {
                c.socket.abort();
            }

            Client subscriber = Client.open(url, token, "room:tp").get(30, TimeUnit.SECONDS);
            AtomicLong received = new AtomicLong();
            subscriber.onMessage = (node, now) -> received.incrementAndGet();
            Semaphore window = new Semaphore(256);
            publisher.onReply = window::release;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long t0 = System.nanoTime();
            int id = 1_000_000;
            while (System.nanoTime() < end) {
                if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    publisher.send("{\"id\":" + (id++) + ",\"type\":\"publish\",\"channel\":\"room:tp\",\"data\":{\"n\":" + id
                                           + "}}");
                }
            }
            double throughput = received.get() / ((System.nanoTime() - t0) / 1e9);
            System.out.println("   throughput: " + (long) throughput + " msg/s");
            publisher.socket.abort();
            subscriber.socket.abort();
            return new Result(target, n, clients.size(), connectSeconds, heap, rss,
                              pct(sorted, 0.50) / 1000, pct(sorted, 0.99) / 1000,
                              sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000, deliveries, latencies.length,
                              throughput);
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static void print(List<Result> results) {
        System.out.println();
        System.out.printf("%-8s %8s %8s %9s %9s %9s %9s %9s %9s %12s%n", "target", "conns", "held", "connect s",
                          "heap MiB", "RSS MiB", "p50 ms", "p99 ms", "max ms", "pub msg/s");
        for (Result r : results) {
            System.out.printf("%-8s %8d %8d %9.1f %9s %9d %9.1f %9.1f %9.1f %12.0f%n", r.target(), r.requested(), r.held(),
                              r.connectSeconds(), r.heapMiB() < 0 ? "-" : Long.toString(r.heapMiB()), r.rssMiB(),
                              r.p50Micros() / 1000.0, r.p99Micros() / 1000.0, r.maxMicros() / 1000.0, r.throughput());
        }
        if (results.size() == 2) {
            Result hub = results.get(0);
            Result node = results.get(1);
            System.out.printf("ratios svc-hub/node: p50 %.2f, p99 %.2f, throughput %.2f, RSS %.2f%n",
                              (double) hub.p50Micros() / Math.max(1, node.p50Micros()),
                              (double) hub.p99Micros() / Math.max(1, node.p99Micros()),
                              hub.throughput() / Math.max(1, node.throughput()),
                              (double) hub.rssMiB() / Math.max(1, node.rssMiB()));
        }
    }

    private static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static void awaitUp(String url, String health) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (health != null) {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create(health)).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode() == 200) {
                        return;
                    }
                } else {
                    Client.open(url, null, null).get(5, TimeUnit.SECONDS).socket.abort();
                    return;
                }
            } catch (Exception e) {
                LockSupport.parkNanos(100_000_000);
            }
        }
        throw new IllegalStateException("server did not come up: " + url);
    }

    private static long heapAfterGc(long pid) throws IOException, InterruptedException {
        run("jcmd", Long.toString(pid), "GC.run");
        String info = run("jcmd", Long.toString(pid), "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One WebSocket client connection. */
    static final class Client implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private final CompletableFuture<Client> ready = new CompletableFuture<>();
        private final String channel;
        private volatile WebSocket socket;
        private volatile MessageHandler onMessage;
        private volatile Runnable onReply;

        interface MessageHandler {
            void handle(JsonNode message, long nowNanos);
        }

        private Client(String channel) {
            this.channel = channel;
        }

        static CompletableFuture<Client> open(String url, String token, String channel) {
            Client c = new Client(channel);
            WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            b.buildAsync(URI.create(url), c).whenComplete((ws, e) -> {
                if (e != null) {
                    c.ready.completeExceptionally(e);
                    return;
                }
                c.socket = ws;
                if (channel == null) {
                    c.ready.complete(c);
                } else {
                    ws.sendText("{\"id\":0,\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}", true);
                }
            });
            return c.ready;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (text.startsWith("{\"type\":\"message\"")) {
                    MessageHandler h = onMessage;
                    if (h != null) {
                        try {
                            h.handle(JSON.readTree(text), now);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                } else if (text.contains("\"type\":\"ok\"")) {
                    if (!ready.isDone() && channel != null) {
                        ready.complete(this);
                    } else if (onReply != null) {
                        onReply.run();
                    }
                } else if (text.contains("\"type\":\"error\"") && !ready.isDone()) {
                    ready.completeExceptionally(new IllegalStateException(text));
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ready.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ready.completeExceptionally(error);
        }
    }
}
