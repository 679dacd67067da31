package ai.universal.bench.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

/**
 * svc-chat's overhead, measured in one run against {@link FixedLatencyUpstream} (50 ms to the answer or the first
 * token, 20 tokens): the same requests sent directly to the upstream, through svc-chat ({@code java -jar}, real
 * PostgreSQL and Redis, JWT verified, per-user limits checked in Redis, analytics written) and through the local edge
 * (jwt + redis rate-limiting plugins) + svc-chat. Rounds are interleaved so drift hits every target alike.
 * Two arrival patterns are measured: {@code concurrency} closed-loop clients (which the fixed latency keeps in lockstep)
 * and open-loop Poisson arrivals at the same rate ({@code rate}, requests/s).
 * Then {@code streams} slow streams are held open through svc-chat at once, with its heap and RSS sampled meanwhile.
 * <p>
 * System properties: chat.jar, edge.jar, requests (per target, default 1000), concurrency (8), rate (Poisson arrivals/s), warmup (6000), streams (1000).
 * {@code CHAT_JVM_OPTS} adds JVM options to svc-chat's command line (e.g. a JFR recording for profiling).
 */
public final class ChatBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();

    private ChatBench() {
    }

    /** A target and the processes that serve it (their JIT activity decides when its warm-up is done). */
    record Target(String name, String url, List<Long> pids) {
    }

    public static void main(String[] args) throws Exception {
        Path chatJar = Path.of(System.getProperty("chat.jar", "svc-chat/target/svc-chat.jar"));
        Path edgeJar = Path.of(System.getProperty("edge.jar", "edge-kong/target/edge-kong.jar"));
        int requests = Integer.getInteger("requests", 1000);
        int concurrency = Integer.getInteger("concurrency", 8);
        int streams = Integer.getInteger("streams", 1000);
        Path work = Files.createTempDirectory("chat-bench");
        List<Process> processes = new ArrayList<>();
        TestInfra.Infra infra = TestInfra.fresh();
        try (FixedLatencyUpstream upstream = new FixedLatencyUpstream(50, 20, 2, 20, 500);
             TestAuthServer auth = TestAuthServer.start()) {
            Path models = work.resolve("models.yaml");
            String base = "http://127.0.0.1:" + upstream.port() + "/v1";
            Files.writeString(models, "models:\n"
                    + "  bench:\n    deployments:\n      - {provider: openai-compatible, base-url: \"" + base + "\", model: bench}\n"
                    + "  hold:\n    deployments:\n      - {provider: openai-compatible, base-url: \"" + base + "\", model: hold}\n");
            int chatPort = freePort();
            Map<String, String> env = new LinkedHashMap<>(infra.environment());
            env.putAll(auth.environment());
            env.putAll(Map.of("CHAT_PORT", Integer.toString(chatPort), "CHAT_CONFIG", models.toString(),
                              "CHAT_USER_RPM", "100000000", "CHAT_USER_TOKENS_PER_DAY", "1000000000", "LOCAL_LLM_ENDPOINT", "",
                              "OPENAI_API_KEY", "", "ANTHROPIC_API_KEY", "", "OPENAI_COMPATIBLE_BASE_URL", "",
                              "DB_POOL_SIZE", "4"));
            Process chat = startChat(chatJar, System.getenv("CHAT_JVM_OPTS"), env, work.resolve("svc-chat.log"));
            processes.add(chat);
            String chatUrl = "http://127.0.0.1:" + chatPort;
            awaitUp(chatUrl + "/health/ready");
            List<Target> targets = new ArrayList<>();
            targets.add(new Target("direct", base + "/chat/completions", List.of(ProcessHandle.current().pid())));
            targets.add(new Target("svc-chat", chatUrl + "/v1/chat/completions", List.of(chat.pid())));
            String relayName = "peer: bare Helidon relay";
            // peer: a bare Helidon relay in its own JVM, as svc-chat runs in its own
            int relayPort = freePort();
            List<String> relayCommand = new ArrayList<>(List.of(java()));
            String relayOptions = System.getenv("RELAY_JVM_OPTS");
            if (relayOptions != null && !relayOptions.isBlank()) {
                relayCommand.addAll(List.of(relayOptions.trim().split("\\s+")));
            }
            relayCommand.addAll(List.of("-cp", System.getProperty("java.class.path"), HelidonRelay.class.getName(),
                                        Integer.toString(relayPort), base + "/chat/completions"));
            Process relay = start(relayCommand, Map.of(), work.resolve("relay.log"));
            processes.add(relay);
            awaitUp("http://127.0.0.1:" + relayPort + "/health");
            targets.add(new Target(relayName, "http://127.0.0.1:" + relayPort + "/v1/chat/completions",
                                   List.of(relay.pid())));
            String otherOptions = System.getenv("CHAT_B_JVM_OPTS");
            String otherSettings = System.getenv("CHAT_B_ENV");
            String otherJar = System.getenv("CHAT_B_JAR");
            if (otherOptions != null || otherSettings != null || otherJar != null) {
                // a second svc-chat with other JVM options, settings or build, measured in the same rounds (an A/B)
                int otherPort = freePort();
                Map<String, String> otherEnv = new LinkedHashMap<>(env);
                if (otherSettings != null && !otherSettings.isBlank()) {
                    for (String pair : otherSettings.trim().split("\\s+")) {
                        otherEnv.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
                    }
                }
                otherEnv.put("CHAT_PORT", Integer.toString(otherPort));
                Process other = startChat(otherJar == null ? chatJar : Path.of(otherJar), otherOptions, otherEnv,
                                          work.resolve("svc-chat-b.log"));
                processes.add(other);
                awaitUp("http://127.0.0.1:" + otherPort + "/health/ready");
                String label = String.join(" ", otherJar == null ? "" : Path.of(otherJar).getFileName().toString(),
                                           otherOptions == null ? "" : otherOptions.trim(),
                                           otherSettings == null ? "" : otherSettings.trim()).trim();
                targets.add(new Target("svc-chat B [" + label + "]", "http://127.0.0.1:" + otherPort
                        + "/v1/chat/completions", List.of(other.pid())));
            }
            if (Files.exists(edgeJar) && !"off".equals(System.getenv("CHAT_BENCH_EDGE"))) {
                int edgePort = freePort();
                Path kong = work.resolve("kong-bench.yml");
                Files.writeString(kong, kongYml(chatUrl));
                Process edge = start(List.of(java(), "-jar", edgeJar.toString(), "serve", kong.toString(), "--jwks",
                                             auth.environment().get("JWKS_URL"), "--port", Integer.toString(edgePort),
                                             "--admin-port", Integer.toString(freePort())), Map.of(),
                                     work.resolve("edge.log"));
                processes.add(edge);
                if (awaitUp("http://127.0.0.1:" + edgePort + "/v1/models", 40)) {
                    targets.add(new Target("edge+svc-chat", "http://127.0.0.1:" + edgePort + "/v1/chat/completions",
                                           List.of(edge.pid(), chat.pid())));
                } else {
                    System.out.println("local edge did not come up (see " + work.resolve("edge.log") + "); not measured");
                }
            }
            String token = "Bearer " + auth.token("bench-user", List.of("user"), "*");

            // warm-up, not measured, until the JIT is done: in steps of 2,000 requests (half streamed, 32 concurrent), at least
            // `warmup` requests, then until the target's compiler threads take under 5% of its CPU in a step (with a
            // fixed short warm-up, svc-chat's request path still ran in C1's profiling code during the rounds and its
            // compiler threads were a quarter of its CPU)
            int warmup = Integer.getInteger("warmup", 6000);
            for (Target t : targets) {
                long began = System.nanoTime();
                int sent = 0;
                double jitShare = 100;
                while (sent < warmup || (jitShare >= 5 && sent < 60_000)) {
                    long cpu = 0;
                    long jit = 0;
                    for (long pid : t.pids()) {
                        cpu -= cpuTicks(pid);
                        jit -= jitTicks(pid);
                    }
                    run(t, token, false, 1000, 32);
                    run(t, token, true, 1000, 32);
                    sent += 2000;
                    for (long pid : t.pids()) {
                        cpu += cpuTicks(pid);
                        jit += jitTicks(pid);
                    }
                    jitShare = 100.0 * jit / Math.max(1, cpu);
                }
                System.out.printf("warmed up %s: %d requests in %.1f s; its JIT compilers took %.1f%% of its CPU in the last 2,000%n",
                                  t.name(), sent, (System.nanoTime() - began) / 1e9, jitShare);
            }
            DUMP.clear(); // the warm-up is not measured
            long chatCpu = cpuTicks(chat.pid());
            long chatJit = jitTicks(chat.pid());
            long relayJit = jitTicks(relay.pid());
            long relayCpu = cpuTicks(relay.pid());
            double rate = Double.parseDouble(System.getProperty("rate", Double.toString(concurrency * 1000.0 / 51)));
            System.out.println();
            System.out.println("Fixed upstream: 50 ms to answer / first token, 20 tokens (2 ms apart when streamed); "
                                       + requests + " requests per target and arrival pattern, 4 interleaved rounds");
            for (boolean lockstep : new boolean[] {true, false}) {
                Map<String, List<Long>> plain = new LinkedHashMap<>();
                Map<String, List<Long>> ttft = new LinkedHashMap<>();
                for (int round = 0; round < 4; round++) {
                    for (boolean stream : new boolean[] {false, true}) {
                        for (Target t : targets) {
                            List<Long> measured = lockstep
                                    ? run(t, token, stream, requests / 4, concurrency)
                                    : arrivals(t, token, stream, requests / 4, rate, 7919L * round + (stream ? 1 : 0));
                            (stream ? ttft : plain).computeIfAbsent(t.name(), k -> new ArrayList<>()).addAll(measured);
                        }
                    }
                }
                System.out.println();
                System.out.println(lockstep
                        ? "**" + concurrency + " clients in lockstep** (each sends its next request when its answer is in; with a fixed-latency "
                                  + "upstream all " + concurrency + " arrive within the same millisecond every ~51 ms):"
                        : String.format("**Independent arrivals** (Poisson, %.0f requests/s — the lockstep clients' rate — the same "
                                                + "seeded sequence for every target, each request measured from its own send):", rate));
                System.out.println();
                report(targets, relayName, plain, ttft);
            }
            // both arrival patterns, plain and streamed: 4 × requests through each process
            long throughChat = targets.stream().filter(t -> t.pids().contains(chat.pid())).count();
            System.out.printf("%nCPU per request over the measured rounds (utime + stime from /proc, background work included): "
                                      + "svc-chat %.0f µs, bare relay %.0f µs%n",
                              (cpuTicks(chat.pid()) - chatCpu) * 10_000.0 / (4 * requests * throughChat),
                              (cpuTicks(relay.pid()) - relayCpu) * 10_000.0 / (4 * requests));
            System.out.printf("JIT compiler threads during the rounds: svc-chat %.1f%% of its CPU, bare relay %.1f%%%n",
                              100.0 * (jitTicks(chat.pid()) - chatJit) / Math.max(1, cpuTicks(chat.pid()) - chatCpu),
                              100.0 * (jitTicks(relay.pid()) - relayJit) / Math.max(1, cpuTicks(relay.pid()) - relayCpu));
            String dump = System.getenv("BENCH_DUMP");
            if (dump != null && !dump.isBlank()) {
                Files.write(Path.of(dump), DUMP);
                System.out.println("every request's start and latency: " + dump);
            }
            held(chatUrl, chat.pid(), token, streams);
        } finally {
            for (Process p : processes) {
                p.destroy();
                p.waitFor();
            }
            TestInfra.drop(infra);
        }
    }

    private static Process startChat(Path jar, String jvmOptions, Map<String, String> env, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(java()));
        if (jvmOptions != null && !jvmOptions.isBlank()) {
            command.addAll(List.of(jvmOptions.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        return start(command, env, log);
    }

    private static void report(List<Target> targets, String relayName, Map<String, List<Long>> plain,
                               Map<String, List<Long>> ttft) {
        System.out.println("| target | non-streaming p50 | p99 | added p50 | added p99 | TTFT p50 | p99 | added TTFT p50 | added p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        double d50 = pct(plain.get("direct"), 50);
        double d99 = pct(plain.get("direct"), 99);
        double t50 = pct(ttft.get("direct"), 50);
        double t99 = pct(ttft.get("direct"), 99);
        for (Target t : targets) {
            double p50 = pct(plain.get(t.name()), 50);
            double p99 = pct(plain.get(t.name()), 99);
            double f50 = pct(ttft.get(t.name()), 50);
            double f99 = pct(ttft.get(t.name()), 99);
            System.out.printf("| %s | %.2f ms | %.2f ms | %s | %s | %.2f ms | %.2f ms | %s | %s |%n", t.name(), p50, p99,
                              added(t, p50 - d50), added(t, p99 - d99), f50, f99, added(t, f50 - t50), added(t, f99 - t99));
        }
        System.out.printf("%nsvc-chat over the bare Helidon relay (its own work beyond the hop): non-streaming p50 %+.2f ms, "
                                  + "p99 %+.2f ms; TTFT p50 %+.2f ms, p99 %+.2f ms%n",
                          pct(plain.get("svc-chat"), 50) - pct(plain.get(relayName), 50),
                          pct(plain.get("svc-chat"), 99) - pct(plain.get(relayName), 99),
                          pct(ttft.get("svc-chat"), 50) - pct(ttft.get(relayName), 50),
                          pct(ttft.get("svc-chat"), 99) - pct(ttft.get(relayName), 99));
    }

    private static String added(Target t, double ms) {
        return t.name().equals("direct") ? "—" : String.format("%+.2f ms", ms);
    }

    /** Hold many slow streams open through svc-chat at once; sample heap and RSS while they are all open. */
    private static void held(String chatUrl, long pid, String token, int streams) throws Exception {
        long rssBefore = rssKb(pid);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong peakOpen = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < streams; i++) {
                futures.add(pool.submit(() -> {
                    try {
                        HttpResponse<InputStream> r = HTTP.send(request(chatUrl + "/v1/chat/completions", token, "hold", true),
                                                                HttpResponse.BodyHandlers.ofInputStream());
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                            r.body().close();
                            return;
                        }
                        int now = open.incrementAndGet();
                        peakOpen.accumulateAndGet(now, Math::max);
                        int tokens = 0;
                        boolean done = false;
                        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = lines.readLine()) != null) {
                                tokens += line.contains("\"content\":\"tok") ? 1 : 0;
                                done |= line.equals("data: [DONE]");
                            }
                        }
                        open.decrementAndGet();
                        if (done && tokens == 20) {
                            completed.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        failed.incrementAndGet();
                    }
                }));
            }
            long sampleAt = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (System.nanoTime() < sampleAt) {
                Thread.sleep(100);
            }
            int openAtSample = open.get();
            long rss = rssKb(pid);
            String heap = heapMb(chatUrl);
            for (Future<?> f : futures) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println();
            System.out.printf("Held streams through svc-chat: %d started, %d open at the 6 s sample (peak %d), %d completed with all "
                                      + "20 tokens and [DONE], %d failed, %.1f s (each stream lasts ~9.6 s)%n", streams,
                              openAtSample, peakOpen.get(), completed.get(), failed.get(), seconds);
            System.out.printf("svc-chat RSS: %.0f MB before, %.0f MB with the streams open; heap used then: %s%n", rssBefore / 1024.0,
                              rss / 1024.0, heap);
        }
    }

    /** Every measured request as "epoch-ms target mode latency-ms" when BENCH_DUMP names a file (for finding what the slow ones share). */
    private static final List<String> DUMP = Collections.synchronizedList(new ArrayList<>());

    private static List<Long> run(Target t, String token, boolean stream, int n, int concurrency) throws Exception {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    while (next.getAndIncrement() < n) {
                        latencies.add(measure(t, token, stream, "lockstep"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        }
        return latencies;
    }

    /**
     * Open-loop load: {@code n} requests sent at exponentially distributed gaps (mean rate {@code perSecond}), each on its own
     * virtual thread, so a slow answer never delays the next send. The same seed gives every target the same sequence.
     */
    private static List<Long> arrivals(Target t, String token, boolean stream, int n, double perSecond, long seed)
            throws Exception {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        java.util.Random random = new java.util.Random(seed);
        List<Future<?>> sent = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long next = System.nanoTime();
            for (int i = 0; i < n; i++) {
                next += (long) (-Math.log(1 - random.nextDouble()) / perSecond * 1e9);
                for (long wait; (wait = next - System.nanoTime()) > 0; ) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                sent.add(pool.submit(() -> latencies.add(measure(t, token, stream, "poisson"))));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
        return latencies;
    }

    /** One request's latency (whole answer, or first token when streamed), also kept for BENCH_DUMP. */
    private static long measure(Target t, String token, boolean stream, String pattern) throws IOException, InterruptedException {
        long at = System.currentTimeMillis();
        long nanos = stream ? ttft(t, token) : plain(t, token);
        DUMP.add(at + "\t" + t.name() + "\t" + (stream ? "ttft" : "plain") + "-" + pattern + "\t" + nanos / 1e6);
        return nanos;
    }

    private static long plain(Target t, String token) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> r = HTTP.send(request(t.url(), token, "bench", false), HttpResponse.BodyHandlers.ofByteArray());
        long nanos = System.nanoTime() - start;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(t.name() + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        return nanos;
    }

    private static long ttft(Target t, String token) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<InputStream> r = HTTP.send(request(t.url(), token, "bench", true), HttpResponse.BodyHandlers.ofInputStream());
        long first = -1;
        boolean done = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (first < 0 && line.contains("\"content\":\"tok")) {
                    first = System.nanoTime() - start;
                }
                done |= line.equals("data: [DONE]");
            }
        }
        if (r.statusCode() != 200 || first < 0 || !done) {
            throw new IllegalStateException(t.name() + " stream failed with " + r.statusCode());
        }
        return first;
    }

    private static HttpRequest request(String url, String token, String model, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static double pct(List<Long> nanos, double p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    private static String kongYml(String chatUrl) {
        return """
                _format_version: "3.0"
                _transform: true
                services:
                  - name: svc-chat
                    url: %s
                    read_timeout: 300000
                    routes:
                      - name: chat-openai
                        paths: [/v1/chat/completions, /v1/models]
                        strip_path: false
                        plugins:
                          - name: jwt
                            config: {key_claim_name: kid, claims_to_verify: [exp], uri_param_names: [], anonymous: anonymous,
                                     run_on_preflight: false}
                          - name: rate-limiting
                            config: {minute: 100000000, limit_by: ip, policy: redis, fault_tolerant: true,
                                     redis: {host: 127.0.0.1, port: 6379, database: 0}}
                consumers:
                  - username: svc-auth
                    custom_id: svc-auth-issuer
                  - username: anonymous
                    custom_id: anonymous
                """.formatted(chatUrl);
    }

    /** User + system CPU of a process in clock ticks (1/100 s). */
    private static long cpuTicks(long pid) throws IOException {
        return ticks(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /** utime + stime of a /proc stat line (fields 14 and 15, counted after the parenthesised name). */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** CPU ticks of a process's JIT compiler threads (C1 and C2). */
    private static long jitTicks(long pid) throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        ticks += ticks(stat);
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return ticks;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static String heapMb(String chatUrl) {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(chatUrl + "/metrics")).build(),
                                       HttpResponse.BodyHandlers.ofString()).body();
            for (String line : metrics.split("\n")) {
                if (!line.startsWith("#") && line.toLowerCase().contains("usedheap")) {
                    double bytes = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    return String.format("%.0f MB (%s)", bytes / 1024 / 1024, line.substring(0, line.indexOf(' ')));
                }
            }
            return "not reported by /metrics";
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "unavailable (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void awaitUp(String url) throws InterruptedException {
        if (!awaitUp(url, 60)) {
            throw new IllegalStateException(url + " did not come up");
        }
    }

    private static boolean awaitUp(String url, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int status = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                                       HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status < 500) {
                    return true;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
