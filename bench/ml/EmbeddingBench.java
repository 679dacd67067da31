import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import ai.universal.ml.EmbeddingModelSpec;
import ai.universal.ml.OnnxSentenceEncoder;
import ai.universal.ml.TokenizedText;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

/**
 * Embedding throughput and latency, one line of results per run (sentences/s, p50, p99).
 *
 * <pre>
 * raw   SECONDS [MODEL [BATCH]]      in-process: tokenise + one ONNX call per batch of BATCH (32) sentences
 * l4j   SECONDS                      langchain4j's AllMiniLmL6V2EmbeddingModel.embedAll of 32 (one ONNX call per text)
 * http  BASE_URL CLIENTS PER_REQUEST SECONDS [MODEL]
 *                                    CLIENTS concurrent clients, each sending PER_REQUEST sentences per request
 * suite ROUNDS SECONDS URL_BATCHING_ON URL_BATCHING_OFF
 *                                    every phase above, interleaved, ROUNDS times; medians and per-round ratios
 * </pre>
 * The suite interleaves the phases because the machine is shared: a neighbour's load then hits every phase alike,
 * and the ratios are taken within a round before the median is taken.
 * Run from the repository root with svc-ml's jar and libs on the class path (bench/ml/run.sh does it).
 */
public final class EmbeddingBench {

    private static final String[] SUBJECTS = {"The committee", "A young engineer", "Our support team", "The old library",
            "Every morning the baker", "The research group", "A small startup", "The city council", "My neighbour",
            "The orchestra"};
    private static final String[] VERBS = {"announced", "reviewed", "rebuilt", "questioned", "celebrated", "measured",
            "documented", "postponed", "simplified", "translated"};
    private static final String[] OBJECTS = {"a new plan for the river district", "the quarterly budget report",
            "an unusual proposal about public transport", "the results of the latest experiment",
            "several customer complaints about delivery times", "the history of the town's oldest bridge",
            "a faster way to process incoming orders", "the schedule for the summer festival",
            "a long list of open security issues", "the design of the new reading room"};
    private static final String[] TAILS = {"before the deadline.", "after a long discussion.", "with great care.",
            "despite the heavy rain.", "in front of a large audience.", "for the second time this year.",
            "without any help.", "during the night shift.", "to everyone's surprise.", "in three languages."};

    private EmbeddingBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> sentences = sentences(4096);
        switch (args[0]) {
            case "raw" -> raw(sentences, Integer.parseInt(args[1]), args.length > 2 ? args[2] : "all-minilm-l6-v2",
                              args.length > 3 ? Integer.parseInt(args[3]) : 32);
            case "l4j" -> langchain4j(sentences, Integer.parseInt(args[1]));
            case "http" -> http(sentences, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                                Integer.parseInt(args[4]), args.length > 5 ? args[5] : "all-minilm-l6-v2");
            case "suite" -> suite(sentences, Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3], args[4]);
            default -> throw new IllegalArgumentException("mode: raw | l4j | http");
        }
    }

    static void raw(List<String> sentences, int seconds, String model, int batchSize) {
        try (OnnxSentenceEncoder encoder = load(model)) {
            raw(encoder, sentences, seconds, batchSize);
        }
    }

    private static OnnxSentenceEncoder load(String model) {
        EmbeddingModelSpec spec = EmbeddingModelSpec.KNOWN.stream().filter(s -> s.id().equals(model)).findFirst()
                .orElseThrow();
        return OnnxSentenceEncoder.load(spec, 0);
    }

    private static Result raw(OnnxSentenceEncoder encoder, List<String> sentences, int seconds, int batchSize) {
        int[] cursor = {0};
        return loop("raw-onnx batch=" + batchSize + " " + encoder.spec().id(), seconds, batchSize, () -> {
            List<TokenizedText> texts = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                texts.add(encoder.tokenize(sentences.get(cursor[0]++ % sentences.size()), true));
            }
            encoder.encode(texts);
        });
    }

    static void suite(List<String> sentences, int rounds, int seconds, String batchingOn, String batchingOff)
            throws Exception {
        String[] names = {"raw32", "raw1", "on-32x1", "on-1x32", "on-4x32", "off-32x1"};
        double[][] rates = new double[names.length][rounds];
        double[][] p50 = new double[names.length][rounds];
        double[][] p99 = new double[names.length][rounds];
        try (OnnxSentenceEncoder encoder = load("all-minilm-l6-v2")) {
            for (int r = 0; r < rounds; r++) {
                System.out.println("-- round " + (r + 1) + " of " + rounds);
                Result[] results = {
                        raw(encoder, sentences, seconds, 32),
                        raw(encoder, sentences, seconds, 1),
                        http(sentences, batchingOn, 32, 1, seconds, "all-minilm-l6-v2"),
                        http(sentences, batchingOn, 1, 32, seconds, "all-minilm-l6-v2"),
                        http(sentences, batchingOn, 4, 32, seconds, "all-minilm-l6-v2"),
                        http(sentences, batchingOff, 32, 1, seconds, "all-minilm-l6-v2")};
                for (int i = 0; i < names.length; i++) {
                    rates[i][r] = results[i].sentencesPerSecond();
                    p50[i][r] = results[i].p50();
                    p99[i][r] = results[i].p99();
                }
            }
        }
        System.out.println("-- medians over " + rounds + " rounds of " + seconds + " s");
        for (int i = 0; i < names.length; i++) {
            System.out.printf(Locale.ROOT, "MEDIAN %-9s sentences/s=%8.1f  p50=%7.2f ms  p99=%7.2f ms%n", names[i],
                              median(rates[i]), median(p50[i]), median(p99[i]));
        }
        ratio("http batch requests (1 client x 32) / raw batch 32", rates[3], rates[0], "target >= 0.8");
        ratio("http batch requests (4 clients x 32) / raw batch 32", rates[4], rates[0], "");
        ratio("32 single clients, batching on / batching off", rates[2], rates[5], "target >= 3");
        ratio("32 single clients, batching on / raw batch 32", rates[2], rates[0], "");
        ratio("raw batch 32 / raw batch 1 (what batching can gain here)", rates[0], rates[1], "");
    }

    private static void ratio(String name, double[] top, double[] bottom, String note) {
        double[] ratios = new double[top.length];
        for (int i = 0; i < top.length; i++) {
            ratios[i] = top[i] / bottom[i];
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "RATIO %-58s median=%5.2f  min=%5.2f  max=%5.2f  %s%n", name, median(ratios),
                          sorted[0], sorted[sorted.length - 1], note);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    record Result(double sentencesPerSecond, double p50, double p99) {
    }

    static void langchain4j(List<String> sentences, int seconds) {
        AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        int[] cursor = {0};
        loop("langchain4j-embedAll32", seconds, 32, () -> {
            List<TextSegment> segments = new ArrayList<>(32);
            for (int i = 0; i < 32; i++) {
                segments.add(TextSegment.from(sentences.get(cursor[0]++ % sentences.size())));
            }
            model.embedAll(segments);
        });
    }

    // One thread, back to back: latency is per call of `perCall` sentences.
    private static Result loop(String name, int seconds, int perCall, Runnable call) {
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            call.run();
        }
        List<Long> latencies = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            call.run();
            latencies.add(System.nanoTime() - t0);
        }
        return report(name, perCall, latencies, System.nanoTime() - start, 0);
    }

    static Result http(List<String> sentences, String baseUrl, int clients, int perRequest, int seconds, String model)
            throws Exception {
        URI uri = URI.create(baseUrl);
        AtomicLong cursor = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        runClients(uri, sentences, clients, perRequest, model, cursor, failures, 2, new ArrayList<>());
        List<List<Long>> perClient = new ArrayList<>();
        long start = System.nanoTime();
        runClients(uri, sentences, clients, perRequest, model, cursor, failures, seconds, perClient);
        long elapsed = System.nanoTime() - start;
        List<Long> all = new ArrayList<>();
        perClient.forEach(all::addAll);
        return report("http clients=" + clients + " per-request=" + perRequest + " " + model, perRequest, all,
                      elapsed, failures.get());
    }

    // Each client is a virtual thread with one keep-alive connection: a small load driver, so that on a 2-core
    // machine the client takes as little as possible of the CPU the service is measured on.
    private static void runClients(URI uri, List<String> sentences, int clients, int perRequest, String model,
                                   AtomicLong cursor, AtomicLong failures, int seconds, List<List<Long>> latencies)
            throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    try (KeepAliveConnection connection = new KeepAliveConnection(uri)) {
                        while (System.nanoTime() < end) {
                            byte[] body = body(sentences, cursor, perRequest, model).getBytes(StandardCharsets.UTF_8);
                            long t0 = System.nanoTime();
                            int status = connection.post("/v1/embeddings", body);
                            long took = System.nanoTime() - t0;
                            if (status == 200) {
                                mine.add(took);
                            } else {
                                failures.incrementAndGet();
                            }
                        }
                    }
                    return mine;
                }));
            }
            for (Future<List<Long>> f : futures) {
                latencies.add(f.get());
            }
        }
    }

    /** HTTP/1.1 over one socket: writes a POST, reads the status, headers and a Content-Length or chunked body. */
    static final class KeepAliveConnection implements AutoCloseable {

        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final String host;

        KeepAliveConnection(URI uri) throws IOException {
            socket = new Socket(uri.getHost(), uri.getPort());
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 16384);
            in = new BufferedInputStream(socket.getInputStream(), 65536);
            host = uri.getHost() + ":" + uri.getPort();
        }

        int post(String path, byte[] body) throws IOException {
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().trim(), 16); size > 0; size = Long.parseLong(line().trim(), 16)) {
                    skip(size);
                    line();
                }
                line();
            } else if (length > 0) {
                skip(length);
            }
            return status;
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException("connection closed in a response body");
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("connection closed");
                }
                if (b != '\r') {
                    sb.append((char) b);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String body(List<String> sentences, AtomicLong cursor, int perRequest, String model) {
        StringBuilder sb = new StringBuilder("{\"model\":\"").append(model).append("\",\"input\":");
        if (perRequest == 1) {
            sb.append('"').append(sentences.get((int) (cursor.getAndIncrement() % sentences.size()))).append('"');
        } else {
            sb.append('[');
            for (int i = 0; i < perRequest; i++) {
                sb.append(i == 0 ? "\"" : ",\"")
                        .append(sentences.get((int) (cursor.getAndIncrement() % sentences.size()))).append('"');
            }
            sb.append(']');
        }
        return sb.append('}').toString();
    }

    private static Result report(String name, int perCall, List<Long> latencies, long elapsedNanos, long failures) {
        long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        double seconds = elapsedNanos / 1e9;
        double sentencesPerSecond = sorted.length * (double) perCall / seconds;
        System.out.printf(Locale.ROOT, "RESULT %-55s sentences/s=%8.1f  p50=%7.2f ms  p99=%7.2f ms  calls=%d"
                                  + "  failures=%d%n",
                          name, sentencesPerSecond, percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.length,
                          failures);
        return new Result(sentencesPerSecond, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static List<String> sentences(int n) {
        Random random = new Random(42);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(SUBJECTS[random.nextInt(SUBJECTS.length)] + " " + VERBS[random.nextInt(VERBS.length)] + " "
                            + OBJECTS[random.nextInt(OBJECTS.length)] + " " + TAILS[random.nextInt(TAILS.length)]);
        }
        return out;
    }
}
