package ai.universal.bench.vector;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.vector.Collection;
import ai.universal.vector.CollectionConfig;
import ai.universal.vector.Distance;
import ai.universal.vector.Point;
import ai.universal.vector.PointId;
import ai.universal.vector.ScoredPoint;
import ai.universal.vector.SearchRequest;
import ai.universal.vector.Storage;
import ai.universal.vector.VectorApp;
import ai.universal.vector.VectorStore;

import com.github.jelmerk.knn.DistanceFunctions;
import com.github.jelmerk.knn.Item;
import com.github.jelmerk.knn.SearchResult;
import com.github.jelmerk.knn.hnsw.HnswIndex;
import org.apache.lucene.util.VectorUtil;

/**
 * k=10 nearest neighbours on clustered synthetic unit vectors (cosine), side by side: exact brute force, this service's
 * Lucene HNSW index in-process (float32 and int8) and over HTTP, and hnswlib-core as a peer JVM ANN library.
 * Prints one Markdown table. Arguments: vectors (20000), dimension (384), queries (300).
 */
public final class VectorBench {

    private static final int K = 10;

    private VectorBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args vectors, dimension, queries
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 384;
        int nq = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        float[][] data = clustered(n, dim, 100, 7);
        float[][] queries = clustered(nq, dim, 100, 8);
        System.out.printf(Locale.ROOT, "%d vectors x %d dims, %d queries, k=%d, %d cores, %s%n", n, dim, nq, K,
                          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        List<String> rows = new ArrayList<>();

        int[][] truth = new int[nq][];
        rows.add(row("brute force (exact)", q -> truth[q] = exact(data, queries[q]), nq, null, null, Double.NaN,
                     Double.NaN, -1));

        Path dir = Files.createTempDirectory("vector-bench");
        for (Storage storage : new Storage[] {Storage.FLOAT32, Storage.INT8}) {
            Path d = dir.resolve(storage.wireName());
            try (VectorStore store = VectorStore.open(d, Duration.ofMillis(100), 10_000)) {
                Collection c = store.create(new CollectionConfig("bench", dim, Distance.COSINE, 16, 100, 100, storage,
                                                                 false, null));
                long t0 = System.nanoTime();
                for (int from = 0; from < n; from += 1000) {
                    List<Point> batch = new ArrayList<>();
                    for (int i = from; i < Math.min(n, from + 1000); i++) {
                        batch.add(new Point(PointId.of(i), data[i], null));
                    }
                    c.upsert(null, batch, false);
                }
                double ingest = n / ((System.nanoTime() - t0) / 1e9);
                long tm = System.nanoTime();
                c.optimize(1);
                System.out.printf(Locale.ROOT, "%s: optimize to 1 segment took %.1f s%n", storage.wireName(),
                                  (System.nanoTime() - tm) / 1e9);
                long heap = heapMb();
                long disk = c.info(null).diskBytes();
                long vectorBytes = c.info(null).vectorBytes();
                rows.add(row("svc-vector in-process, " + storage.wireName() + " (m=16, ef_construct=100, ef=100)",
                             q -> ids(c.search(null, new SearchRequest(queries[q], K, 0, null, null, null, false, false))),
                             nq, truth, null, ingest, disk / 1e6, heap)
                                 + String.format(Locale.ROOT, " vector bytes %.1f MB (%.2fx float)", vectorBytes / 1e6,
                                                 vectorBytes / (4.0 * n * dim)));
            }
        }

        try (TestAuthServer auth = TestAuthServer.start()) {
            Map<String, String> env = new HashMap<>(auth.environment());
            env.put("VECTOR_PORT", "0");
            env.put("VECTOR_DATA_DIR", dir.resolve("float32").toString());
            RunningService svc = ServiceRunner.start(new VectorApp(), ServiceRunner.environment(env, System::getenv));
            try {
                String token = "Bearer " + auth.token("bench", List.of("user"), "*");
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                String[] bodies = new String[nq];
                for (int q = 0; q < nq; q++) {
                    StringBuilder b = new StringBuilder("{\"limit\":10,\"with_payload\":false,\"vector\":[");
                    for (int i = 0; i < dim; i++) {
                        b.append(i == 0 ? "" : ",").append(queries[q][i]);
                    }
                    bodies[q] = b.append("]}").toString();
                }
                URI uri = URI.create(svc.baseUrl() + "/v1/vectors/collections/bench/search");
                rows.add(row("svc-vector over HTTP (JSON, token auth, loopback)", q -> {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(bodies[q])).build(),
                                                           HttpResponse.BodyHandlers.ofString());
                        return parseIds(r.body());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, nq, truth, null, Double.NaN, Double.NaN, -1));
            } finally {
                svc.stop();
            }
        }

        HnswIndex<Integer, float[], Vec, Float> peer = HnswIndex
                .newBuilder(dim, DistanceFunctions.FLOAT_INNER_PRODUCT, n).withM(16).withEfConstruction(100).withEf(100)
                .build();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            peer.add(new Vec(i, data[i]));
        }
        double peerIngest = n / ((System.nanoTime() - t0) / 1e9);
        long peerHeap = heapMb();
        rows.add(row("hnswlib-core 1.1.2 (m=16, ef_construction=100, ef=100)", q -> {
            List<SearchResult<Vec, Float>> r = peer.findNearest(queries[q], K);
            return r.stream().mapToInt(s -> s.item().id()).toArray();
        }, nq, truth, null, peerIngest, Double.NaN, peerHeap));

        System.out.println();
        System.out.println("| engine | recall@10 | QPS 1 thread | QPS 2 threads | p50 ms | p99 ms | ingest vec/s | index MB "
                                   + "| heap MB | notes |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static String row(String name, IntFunction<int[]> search, int nq, int[][] truth, Object unused, double ingest,
                              double diskMb, long heapMb) throws Exception {
        for (int q = 0; q < Math.min(nq, 50); q++) {
            search.apply(q);
        }
        long[] lat = new long[nq];
        double recall = 0;
        long t0 = System.nanoTime();
        for (int q = 0; q < nq; q++) {
            long s = System.nanoTime();
            int[] got = search.apply(q);
            lat[q] = System.nanoTime() - s;
            if (truth != null) {
                Set<Integer> want = new HashSet<>();
                for (int id : truth[q]) {
                    want.add(id);
                }
                for (int id : got) {
                    recall += want.contains(id) ? 1 : 0;
                }
            }
        }
        double qps1 = nq / ((System.nanoTime() - t0) / 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        long t1 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            fs.add(pool.submit(() -> {
                for (int q = 0; q < nq; q++) {
                    search.apply(q);
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double qps2 = 2.0 * nq / ((System.nanoTime() - t1) / 1e9);
        pool.shutdown();
        Arrays.sort(lat);
        return String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.2f | %.2f | %s | %s | %s |", name,
                             truth == null ? "1.000" : String.format(Locale.ROOT, "%.3f", recall / (nq * K)), qps1, qps2,
                             lat[nq / 2] / 1e6, lat[(int) (nq * 0.99)] / 1e6,
                             Double.isNaN(ingest) ? "" : String.format(Locale.ROOT, "%.0f", ingest),
                             Double.isNaN(diskMb) ? "" : String.format(Locale.ROOT, "%.1f", diskMb),
                             heapMb < 0 ? "" : Long.toString(heapMb));
    }

    private static int[] exact(float[][] data, float[] q) {
        float[] best = new float[K];
        int[] ids = new int[K];
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < data.length; i++) {
            float s = VectorUtil.dotProduct(q, data[i]);
            if (s > best[K - 1]) {
                int j = K - 1;
                while (j > 0 && best[j - 1] < s) {
                    best[j] = best[j - 1];
                    ids[j] = ids[j - 1];
                    j--;
                }
                best[j] = s;
                ids[j] = i;
            }
        }
        return ids;
    }

    private static int[] ids(List<ScoredPoint> hits) {
        return hits.stream().mapToInt(h -> Integer.parseInt(h.id().value())).toArray();
    }

    private static int[] parseIds(String body) {
        List<Integer> out = new ArrayList<>();
        int i = 0;
        while ((i = body.indexOf("\"id\":", i)) >= 0) {
            i += 5;
            int j = i;
            while (Character.isDigit(body.charAt(j))) {
                j++;
            }
            out.add(Integer.parseInt(body.substring(i, j)));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long heapMb() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    private static float[][] clustered(int n, int dim, int clusters, long seed) {
        Random centersRandom = new Random(1234);
        float[][] centers = new float[clusters][dim];
        for (float[] c : centers) {
            for (int i = 0; i < dim; i++) {
                c[i] = (float) centersRandom.nextGaussian();
            }
        }
        Random r = new Random(seed);
        float[][] out = new float[n][dim];
        for (int j = 0; j < n; j++) {
            float[] c = centers[r.nextInt(clusters)];
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                out[j][i] = c[i] + 1.0f * (float) r.nextGaussian();
                norm += out[j][i] * out[j][i];
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < dim; i++) {
                out[j][i] *= inv;
            }
        }
        return out;
    }

    /** An hnswlib item. */
    private record Vec(Integer id, float[] vector) implements Item<Integer, float[]> {
        @Override
        public int dimensions() {
            return vector.length;
        }
    }
}
