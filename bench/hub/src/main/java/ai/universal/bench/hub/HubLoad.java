package ai.universal.bench.hub;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.universal.kit.infra.TestAuthServer;

/**
 * Load driver for svc-hub and its peer (a minimal Node.js ws broadcast server), same scenarios against both:
 * <ol>
 *     <li>idle connections: open N WebSocket connections, each subscribed to one room; report how many the server held,
 *     its heap after a full GC (svc-hub runs with -Xmx1g) and resident memory;</li>
 *     <li>broadcast: one publisher, R rounds of one message to all N subscribers; delivery latency p50/p99 over every
 *     delivery (send time stamped in the message, arrival time taken right after the read that brought it in, same
 *     JVM clock; the clients are {@link WsClients}, a few selector threads, no JSON parsing);</li>
 *     <li>per-channel publish throughput: one publisher, one subscriber, publishes pipelined (256 unacknowledged)
 *     for S seconds; messages delivered per second.</li>
 * </ol>
 * Usage: {@code HubLoad <hub jar> <peer script> [N=10000] [rounds=20] [seconds=10]}; needs Redis (REDIS_URL).
 * {@code HUB_JVM_OPTS} adds JVM options to svc-hub's command line (e.g. a JFR recording for profiling).
 */
public final class HubLoad {
    private static final byte[] MESSAGE = "{\"type\":\"message\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "\"type\":\"ok\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENT_AT = "\"t\":".getBytes(StandardCharsets.US_ASCII);
    // Selector threads of the driver's WebSocket clients (HUB_BENCH_THREADS, default 2: one per core here).
    private static final int DRIVER_THREADS = Integer.parseInt(System.getenv().getOrDefault("HUB_BENCH_THREADS", "2"));
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
        URI uri = URI.create(url);
        try (WsClients ws = new WsClients(DRIVER_THREADS)) {
            awaitUp(ws, uri, health);
            System.out.println("== " + target + ": connecting " + n);
            long[] latencies = new long[n * rounds];
            AtomicInteger delivered = new AtomicInteger();
            AtomicReference<CountDownLatch> round = new AtomicReference<>(new CountDownLatch(0));
            WsClients.TextHandler onBroadcast = (conn, bytes, offset, length, now) -> {
                if (isMessage(bytes, offset, length)) {
                    int i = delivered.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[i] = now - sentAt(bytes, offset, length);
                    }
                    round.get().countDown();
                }
            };
            List<WsClients.Conn> clients = new ArrayList<>();
            Semaphore inFlight = new Semaphore(256);
            long start = System.nanoTime();
            AtomicInteger failed = new AtomicInteger();
            List<CompletableFuture<WsClients.Conn>> pending = new ArrayList<>();
            for (int i = 0; i < n && failed.get() == 0; i++) {
                inFlight.acquire();
                pending.add(ws.open(uri, token, "room:bench", onBroadcast).whenComplete((c, e) -> {
                    inFlight.release();
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                }));
            }
            for (CompletableFuture<WsClients.Conn> f : pending) {
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

            Semaphore window = new Semaphore(256);
            WsClients.Conn publisher = ws.open(uri, token, null, (conn, bytes, offset, length, now) -> {
                if (contains(bytes, offset, length, OK)) {
                    window.release();
                }
            }).get(30, TimeUnit.SECONDS);
            int expected = clients.size() * rounds;
            for (int r = 0; r < rounds; r++) {
                CountDownLatch all = new CountDownLatch(clients.size());
                round.set(all);
                publisher.send("{\"id\":" + r + ",\"type\":\"publish\",\"channel\":\"room:bench\",\"data\":{\"t\":"
                                       + System.nanoTime() + ",\"r\":" + r + "}}");
                all.await(30, TimeUnit.SECONDS);
            }
            int deliveries = Math.min(delivered.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, Math.min(deliveries, expected));
            Arrays.sort(sorted);
            System.out.println("   broadcast: " + deliveries + " of " + expected + " deliveries");
            // Rounds do not overlap (the next publish waits for every delivery of this one), so deliveries
            // [r*N, (r+1)*N) are round r's: a p99 set by one slow round shows here.
            StringBuilder perRound = new StringBuilder("   per-round max ms:");
            for (int r = 0; r < rounds && (long) (r + 1) * clients.size() <= deliveries; r++) {
                long max = 0;
                for (int i = r * clients.size(); i < (r + 1) * clients.size(); i++) {
                    max = Math.max(max, latencies[i]);
                }
                perRound.append(' ').append(max / 1_000_000);
            }
            System.out.println(perRound);
            for (WsClients.Conn c : clients) {
                c.abort();
            }

            AtomicLong received = new AtomicLong();
            WsClients.Conn subscriber = ws.open(uri, token, "room:tp", (conn, bytes, offset, length, now) -> {
                if (isMessage(bytes, offset, length)) {
                    received.incrementAndGet();
                }
            }).get(30, TimeUnit.SECONDS);
            window.drainPermits();
            window.release(256);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long t0 = System.nanoTime();
            int id = 1_000_000;
            while (System.nanoTime() < end) {
                if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    publisher.send("{\"id\":" + (id++) + ",\"type\":\"publish\",\"channel\":\"room:tp\",\"data\":{\"n\":"
                                           + id + "}}");
                }
            }
            double throughput = received.get() / ((System.nanoTime() - t0) / 1e9);
            System.out.println("   throughput: " + (long) throughput + " msg/s");
            publisher.abort();
            subscriber.abort();
            return new Result(target, n, clients.size(), connectSeconds, heap, rss,
                              pct(sorted, 0.50) / 1000, pct(sorted, 0.99) / 1000,
                              sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000, deliveries, expected,
                              throughput);
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static boolean isMessage(byte[] bytes, int offset, int length) {
        return startsWith(bytes, offset, length, MESSAGE);
    }

    private static boolean startsWith(byte[] bytes, int offset, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(byte[] bytes, int offset, int length, byte[] part) {
        return indexOf(bytes, offset, length, part) >= 0;
    }

    private static int indexOf(byte[] bytes, int offset, int length, byte[] part) {
        for (int i = offset, last = offset + length - part.length; i <= last; i++) {
            if (startsWith(bytes, i, part.length, part)) {
                return i;
            }
        }
        return -1;
    }

    /** The publisher's send time stamped in the message ({@code "t":<nanos>}), read without a JSON parser. */
    private static long sentAt(byte[] bytes, int offset, int length) {
        int i = indexOf(bytes, offset, length, SENT_AT);
        if (i < 0) {
            throw new IllegalStateException("message without a send time: "
                                                    + new String(bytes, offset, length, StandardCharsets.UTF_8));
        }
        long value = 0;
        for (int p = i + SENT_AT.length; p < offset + length && bytes[p] >= '0' && bytes[p] <= '9'; p++) {
            value = value * 10 + (bytes[p] - '0');
        }
        return value;
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

    private static void awaitUp(WsClients ws, URI url, String health) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (health != null) {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create(health)).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode() == 200) {
                        return;
                    }
                } else {
                    ws.open(url, null, null, (conn, bytes, offset, length, now) -> { }).get(5, TimeUnit.SECONDS).abort();
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
        // G1 prints "used 473285K", ZGC "used 466M"
        Matcher m = Pattern.compile("used (\\d+)([KMG])").matcher(info);
        if (!m.find()) {
            return -1;
        }
        long value = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
        case "K" -> value / 1024;
        case "G" -> value * 1024;
        default -> value;
        };
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
}
