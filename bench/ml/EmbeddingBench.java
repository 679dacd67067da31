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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
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
 * http  BASE_URL CLIENTS PER_REQUEST SECONDS [MODEL [FORMAT [serial]]]
 *                                    CLIENTS concurrent clients, each sending PER_REQUEST sentences per request,
 *                                    encoding_format FORMAT (float); "serial": one request in flight at a time
 * suite ROUNDS SECONDS URL_BATCHING_ON URL_BATCHING_OFF [URL_ONE_WORKER]
 *                                    every phase above, interleaved, ROUNDS times; medians and per-round ratios;
 *                                    with URL_ONE_WORKER also the batching phases against a service with one worker
 *                                    on all cores (the layout before two workers), for a same-round comparison
 * sweep SECONDS                      raw model calls for batch sizes 1..128 and ONNX thread layouts (the ceiling)
 * </pre>
 * "The same clients served one at a time" (the baseline for dynamic batching) is the serial phase: the
 * 32 clients take turns, so the service has exactly one request in hand at any moment, against the service with
 * batching off. The concurrent batching-off phase (32 clients at once, model calls one text each) is reported too.
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
                                Integer.parseInt(args[4]), args.length > 5 ? args[5] : "all-minilm-l6-v2",
                                args.length > 6 ? args[6] : "float", args.length > 7 && args[7].equals("serial"));
            case "suite" -> suite(sentences, Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3], args[4],
                                  args.length > 5 ? args[5] : null);
            case "sweep" -> sweep(sentences, Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException("mode: raw | l4j | http | suite | sweep");
        }
    }

    static void raw(List<String> sentences, int seconds, String model, int batchSize) {
        try (OnnxSentenceEncoder encoder = load(model)) {
            raw(encoder, sentences, seconds, batchSize);
        }
    }

    private static OnnxSentenceEncoder load(String model) {
        return load(model, 0);
    }

    private static OnnxSentenceEncoder load(String model, int intraOpThreads) {
        EmbeddingModelSpec spec = EmbeddingModelSpec.KNOWN.stream().filter(s -> s.id().equals(model)).findFirst()
                .orElseThrow();
        return OnnxSentenceEncoder.load(spec, intraOpThreads);
    }

    // The raw ceiling: sentences/s of back-to-back model calls for batch sizes 1..128, with ONNX Runtime using both
    // cores inside one call, or one core per call and two calls at a time. Tokens per sentence are printed so the
    // rates can be turned into model FLOP/s (about 2 x 10.6 M multiply-adds per token for this model).
    static void sweep(List<String> sentences, int seconds) throws Exception {
        OnnxSentenceEncoder probe = load("all-minilm-l6-v2", 0);
        long tokens = 0;
        for (String s : sentences) {
            tokens += probe.tokenize(s, true).length();
        }
        System.out.printf(Locale.ROOT, "SWEEP tokens per sentence (with [CLS], [SEP]) = %.2f%n",
                          (double) tokens / sentences.size());
        probe.close();
        int[][] layouts = {{0, 1}, {1, 1}, {1, 2}};
        for (int[] layout : layouts) {
            try (OnnxSentenceEncoder encoder = load("all-minilm-l6-v2", layout[0])) {
                for (int batch : new int[] {1, 4, 8, 16, 32, 64, 128}) {
                    double rate = parallelRaw("sweep", encoder, sentences, seconds, batch, layout[1])
                            .sentencesPerSecond();
                    System.out.printf(Locale.ROOT, "SWEEP onnx-threads=%s callers=%d batch=%3d sentences/s=%7.1f%n",
                                      layout[0] == 0 ? "all" : String.valueOf(layout[0]), layout[1], batch, rate);
                }
            }
        }
    }

    // Model calls only (texts tokenised beforehand), CALLERS threads back to back on one session.
    private static Result parallelRaw(String name, OnnxSentenceEncoder encoder, List<String> sentences, int seconds,
                                      int batch, int callers) throws Exception {
        List<List<TokenizedText>> batches = new ArrayList<>();
        for (int i = 0; i + batch <= sentences.size() && batches.size() < 64; i += batch) {
            List<TokenizedText> texts = new ArrayList<>(batch);
            for (String s : sentences.subList(i, i + batch)) {
                texts.add(encoder.tokenize(s, true));
            }
            batches.add(texts);
        }
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime() + 1_000_000_000L;
        long end = start + seconds * 1_000_000_000L;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int first = c;
                futures.add(pool.submit(() -> {
                    for (int i = first; System.nanoTime() < end; i += callers) {
                        long t0 = System.nanoTime();
                        encoder.encode(batches.get(i % batches.size()));
                        long now = System.nanoTime();
                        if (now > start && now <= end) {   // completions within the window: the steady rate
                            done.addAndGet(batch);
                            latencies.add(now - t0);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return report(name, batch, latencies, seconds * 1_000_000_000L, 0);
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

    static void suite(List<String> sentences, int rounds, int seconds, String batchingOn, String batchingOff,
                      String oneWorker) throws Exception {
        String model = "all-minilm-l6-v2";
        String[] names = {"raw32", "raw32x2", "raw1", "on-32x1", "on-1x32", "on-1x32b64", "on-4x32", "off-32x1",
                "serial-32x1", "on-1x1", "off-1x1", "1w-32x1", "1w-1x32"};
        int phases = oneWorker == null ? names.length - 2 : names.length;
        double[][] rates = new double[names.length][rounds];
        double[][] p50 = new double[names.length][rounds];
        double[][] p99 = new double[names.length][rounds];
        try (OnnxSentenceEncoder encoder = load(model); OnnxSentenceEncoder oneThread = load(model, 1)) {
            for (int r = 0; r < rounds; r++) {
                System.out.println("-- round " + (r + 1) + " of " + rounds);
                Result[] results = {
                        raw(encoder, sentences, seconds, 32),
                        parallelRaw("raw-onnx batch=32, 2 calls at a time, 1 thread each", oneThread, sentences,
                                    seconds, 32, 2),
                        raw(encoder, sentences, seconds, 1),
                        http(sentences, batchingOn, 32, 1, seconds, model, "float", false),
                        http(sentences, batchingOn, 1, 32, seconds, model, "float", false),
                        http(sentences, batchingOn, 1, 32, seconds, model, "base64", false),
                        http(sentences, batchingOn, 4, 32, seconds, model, "float", false),
                        http(sentences, batchingOff, 32, 1, seconds, model, "float", false),
                        http(sentences, batchingOff, 32, 1, seconds, model, "float", true),
                        http(sentences, batchingOn, 1, 1, seconds, model, "float", false),
                        http(sentences, batchingOff, 1, 1, seconds, model, "float", false),
                        oneWorker == null ? null : http(sentences, oneWorker, 32, 1, seconds, model, "float", false),
                        oneWorker == null ? null : http(sentences, oneWorker, 1, 32, seconds, model, "float", false)};
                for (int i = 0; i < phases; i++) {
                    rates[i][r] = results[i].sentencesPerSecond();
                    p50[i][r] = results[i].p50();
                    p99[i][r] = results[i].p99();
                }
            }
        }
        System.out.println("-- medians over " + rounds + " rounds of " + seconds + " s");
        for (int i = 0; i < phases; i++) {
            System.out.printf(Locale.ROOT, "MEDIAN %-11s sentences/s=%8.1f  p50=%7.2f ms  p99=%7.2f ms%n", names[i],
                              median(rates[i]), median(p50[i]), median(p99[i]));
        }
        // The raw peer is the better of its two layouts in each round, so the HTTP ratios are never flattered by a
        // layout that suffers more from a neighbour's load.
        double[] rawBest = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            rawBest[r] = Math.max(rates[0][r], rates[1][r]);
        }
        ratio("http batch requests (1 client x 32, float) / best raw batch 32", rates[4], rawBest, "target >= 0.8");
        ratio("http batch requests (1 client x 32, base64) / best raw batch 32", rates[5], rawBest, "target >= 0.8");
        ratio("http batch requests (4 clients x 32, float) / best raw batch 32", rates[6], rawBest, "");
        ratio("http batch requests (1 client x 32, float) / raw batch 32", rates[4], rates[0], "");
        ratio("32 single clients, batching on / served one at a time", rates[3], rates[8], "target >= 3");
        ratio("32 single clients, batching on / off (32 at once)", rates[3], rates[7], "");
        ratio("32 single clients, batching on / best raw batch 32", rates[3], rawBest, "");
        ratio("best raw batch 32 / raw batch 1 (what batching can gain here)", rawBest, rates[2], "");
        ratio("raw batch 32 / raw batch 1, both one call on all cores", rates[0], rates[2], "");
        ratio("p50 of 1 client x 1 sentence: batching on / off (the lone caller's cost of batching)", p50[9], p50[10],
              "");
        if (oneWorker != null) {
            ratio("32 single clients: two workers / one worker on all cores", rates[3], rates[11], "");
            ratio("1 client x 32: two workers / one worker on all cores", rates[4], rates[12], "");
        }
    }

    private static void ratio(String name, double[] top, double[] bottom, String note) {
        double[] ratios = new double[top.length];
        for (int i = 0; i < top.length; i++) {
            ratios[i] = top[i] / bottom[i];
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "RATIO %-64s median=%5.2f  min=%5.2f  max=%5.2f  %s%n", name, median(ratios),
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

    static Result http(List<String> sentences, String baseUrl, int clients, int perRequest, int seconds, String model,
                       String format, boolean serial) throws Exception {
        URI uri = URI.create(baseUrl);
        AtomicLong cursor = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        // Fair, so that taking turns is round robin: every client waits for the 31 others, as when served one by one.
        Semaphore turn = new Semaphore(serial ? 1 : clients, true);
        Load load = new Load(uri, sentences, clients, perRequest, model, format, turn, cursor, failures);
        runClients(load, 2, new ArrayList<>());
        List<List<Long>> perClient = new ArrayList<>();
        long start = System.nanoTime();
        runClients(load, seconds, perClient);
        long elapsed = System.nanoTime() - start;
        List<Long> all = new ArrayList<>();
        perClient.forEach(all::addAll);
        return report("http clients=" + clients + " per-request=" + perRequest + " " + format + (serial ? " serial" : "")
                              + " " + model, perRequest, all, elapsed, failures.get());
    }

    private record Load(URI uri, List<String> sentences, int clients, int perRequest, String model, String format,
                        Semaphore turn, AtomicLong cursor, AtomicLong failures) {
    }

    // Each client is a virtual thread with one keep-alive connection: a small load driver, so that on a 2-core
    // machine the client takes as little as possible of the CPU the service is measured on. A client's latency runs
    // from the moment it wants to send (before it waits for its turn, in the serial phase) to the end of the answer.
    private static void runClients(Load load, int seconds, List<List<Long>> latencies) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int c = 0; c < load.clients(); c++) {
                futures.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    try (KeepAliveConnection connection = new KeepAliveConnection(load.uri())) {
                        while (System.nanoTime() < end) {
                            byte[] body = body(load.sentences(), load.cursor(), load.perRequest(), load.model(),
                                               load.format()).getBytes(StandardCharsets.UTF_8);
                            long t0 = System.nanoTime();
                            int status;
                            load.turn().acquire();
                            try {
                                status = connection.post("/v1/embeddings", body);
                            } finally {
                                load.turn().release();
                            }
                            long took = System.nanoTime() - t0;
                            if (status == 200) {
                                mine.add(took);
                            } else {
                                load.failures().incrementAndGet();
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

    private static String body(List<String> sentences, AtomicLong cursor, int perRequest, String model,
                               String format) {
        StringBuilder sb = new StringBuilder("{\"model\":\"").append(model).append("\",\"encoding_format\":\"")
                .append(format).append("\",\"input\":");
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
        System.out.printf(Locale.ROOT, "RESULT %-62s sentences/s=%8.1f  p50=%7.2f ms  p99=%7.2f ms  calls=%d"
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
