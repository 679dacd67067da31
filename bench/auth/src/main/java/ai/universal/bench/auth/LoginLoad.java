package ai.universal.bench.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Login load on loopback against a running svc-auth, bounded in count and time:
 * <pre>
 * LoginLoad BASE_URL SERVICE_PID CLIENTS SECONDS MAX_REQUESTS LABEL
 * </pre>
 * Registers a few accounts, then CLIENTS concurrent clients log in back to back until SECONDS pass or MAX_REQUESTS are
 * sent. Prints one RESULT line: successful logins per second, p50/p99 latency of successes and of all answers, how
 * many the bulkhead refused (503), and the service process's resident memory (start, peak sampled every 50 ms, and the
 * kernel's high-water mark VmHWM).
 */
public final class LoginLoad {
    private static final String PASSWORD = "bench-Harbor-Engine-42";
    private static final int ACCOUNTS = 8;

    private LoginLoad() {
    }

    /**
     * Run.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String base = args[0];
        long pid = Long.parseLong(args[1]);
        int clients = Integer.parseInt(args[2]);
        Duration duration = Duration.ofSeconds(Long.parseLong(args[3]));
        int maxRequests = Integer.parseInt(args[4]);
        String label = args[5];
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < ACCOUNTS; i++) {
            int status = post(http, base + "/v1/auth/register", body(i)).statusCode();
            if (status != 201 && status != 409) {
                throw new IllegalStateException("register answered " + status);
            }
        }
        for (int i = 0; i < ACCOUNTS; i++) {
            post(http, base + "/v1/auth/login", body(i));
        }

        long rssStart = memory(pid, "VmRSS");
        AtomicLong rssPeak = new AtomicLong(rssStart);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                rssPeak.accumulateAndGet(memory(pid, "VmRSS"), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();
        AtomicInteger sent = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                pool.submit(() -> {
                    int n = 0;
                    while (System.nanoTime() < deadline && sent.incrementAndGet() <= maxRequests) {
                        long t0 = System.nanoTime();
                        int status;
                        try {
                            status = post(http, base + "/v1/auth/login", body((client + n++) % ACCOUNTS)).statusCode();
                        } catch (IOException | InterruptedException e) {
                            status = -1;
                        }
                        samples.add(new long[] {status, System.nanoTime() - t0});
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        sampler.interrupt();
        sampler.join();
        long hwm = memory(pid, "VmHWM");

        List<Long> ok = new ArrayList<>();
        List<Long> all = new ArrayList<>();
        int busy = 0;
        java.util.Map<Long, Integer> other = new java.util.TreeMap<>();
        for (long[] s : samples) {
            all.add(s[1]);
            if (s[0] == 200) {
                ok.add(s[1]);
            } else if (s[0] == 503) {
                busy++;
            } else {
                other.merge(s[0], 1, Integer::sum);
            }
        }
        System.out.printf(Locale.ROOT, "RESULT %s clients=%d requests=%d ok=%d busy503=%d other=%s seconds=%.1f ok_per_s=%.1f "
                                  + "p50_ok_ms=%.1f p99_ok_ms=%.1f p50_all_ms=%.1f p99_all_ms=%.1f "
                                  + "rss_start_mib=%d rss_peak_mib=%d vmhwm_mib=%d%n",
                          label, clients, samples.size(), ok.size(), busy,
                          other.isEmpty() ? "-" : other.toString().replace(" ", ""),
                          seconds, ok.size() / seconds,
                          percentile(ok, 50), percentile(ok, 99), percentile(all, 50), percentile(all, 99),
                          rssStart / 1024, rssPeak.get() / 1024, hwm / 1024);
    }

    private static String body(int account) {
        return "{\"email\":\"bench" + account + "@example.org\",\"password\":\"" + PASSWORD + "\"}";
    }

    private static HttpResponse<String> post(HttpClient http, String url, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url))
                                 .timeout(Duration.ofSeconds(30))
                                 .header("Content-Type", "application/json")
                                 .POST(HttpRequest.BodyPublishers.ofString(json))
                                 .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double percentile(List<Long> nanos, int p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** A memory line of /proc/PID/status, in KiB. */
    private static long memory(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
