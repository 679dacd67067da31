import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import ai.universal.vision.CpuBackend;
import ai.universal.vision.FaceDetector;
import ai.universal.vision.Pipeline;
import ai.universal.vision.PipelineParser;
import ai.universal.vision.Vision;
import ai.universal.vision.VisionLimits;
import ai.universal.vision.WorkerPool;

/**
 * 12 MP JPEG → 512 px wide JPEG q80 through svc-vision.
 *   in-process: java -cp 'svc-vision/target/classes:svc-vision/target/libs/*' VisionBench.java inproc PHOTO N THREADS
 *   over HTTP:  java VisionBench.java http PHOTO N THREADS BASE_URL
 * Prints "images/s=… peak_rss_mib=…" (in-process: this JVM's VmHWM; HTTP: the client only, the script reads the
 * server's).
 */
public final class VisionBench {
    private static final String PIPELINE = "[{\"op\":\"resize\",\"width\":512},{\"op\":\"format\",\"type\":\"jpeg\","
            + "\"quality\":80}]";

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        byte[] photo = Files.readAllBytes(Path.of(args[1]));
        int n = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        Job job = mode.equals("inproc") ? inProcess(photo, threads) : http(photo, args[4]);
        for (int i = 0; i < Math.max(2, threads); i++) {
            job.run();
        }
        AtomicInteger left = new AtomicInteger(n);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    job.run();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("mode=%s threads=%d images=%d seconds=%.2f images/s=%.2f peak_rss_mib=%d%n", mode, threads, n,
                          seconds, n / seconds, peakRssMib());
        System.exit(0);
    }

    interface Job {
        void run() throws Exception;
    }

    private static Job inProcess(byte[] photo, int threads) {
        Vision vision = new Vision(new VisionLimits(50_000_000, 16383, 4_000_000), new CpuBackend(),
                                   new WorkerPool(threads, 4 * threads, Duration.ofSeconds(60), 1), new FaceDetector(),
                                   kind -> {
                                   });
        Pipeline pipeline = new PipelineParser(16383).parse(PIPELINE, Map.of());
        return () -> {
            Vision.Processed out = vision.process(new Vision.Source(photo, "image/jpeg", true), pipeline);
            if (out.width() != 512) {
                throw new IllegalStateException("width " + out.width());
            }
        };
    }

    private static Job http(byte[] photo, String base) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create(base + "/v1/vision/process?pipeline="
                                     + java.net.URLEncoder.encode(PIPELINE, java.nio.charset.StandardCharsets.UTF_8));
        return () -> {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "image/jpeg")
                                                         .POST(HttpRequest.BodyPublishers.ofByteArray(photo)).build(),
                                                 HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(r.statusCode() + " " + new String(r.body()));
            }
        };
    }

    static long peakRssMib() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).findFirst().orElse(-1L);
    }
}
