package ai.universal.vector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/** Recall@10 of the HNSW index against exact search, on an on-disk index at default settings. */
class RecallTest {

    private static final int N = 5_000;
    private static final int DIM = 64;
    private static final int QUERIES = 100;
    private static final int K = 10;

    @TempDir
    Path data;

    @Test
    void float32RecallAtDefaultSettingsIsAtLeast95Percent() throws Exception {
        assertThat(recall(Storage.FLOAT32), greaterThanOrEqualTo(0.95));
    }

    @Test
    void int8RecallIsAtLeast93PercentWithAQuarterOfTheVectorBytes() throws Exception {
        assertThat(recall(Storage.INT8), greaterThanOrEqualTo(0.93));
    }

    private double recall(Storage storage) throws Exception {
        float[][] vectors = TestData.clustered(N, DIM, 50, 42);
        float[][] queries = TestData.clustered(QUERIES, DIM, 50, 42 + 1);
        try (VectorStore store = VectorStore.open(data.resolve(storage.wireName()), Duration.ofMillis(100), 1000)) {
            CollectionConfig cfg = new CollectionConfig("recall", DIM, Distance.COSINE, CollectionConfig.DEFAULT_M,
                                                        CollectionConfig.DEFAULT_EF_CONSTRUCT,
                                                        CollectionConfig.DEFAULT_EF_SEARCH, storage, false, null);
            Collection c = store.create(cfg);
            for (int from = 0; from < N; from += 1000) {
                float[][] batch = java.util.Arrays.copyOfRange(vectors, from, from + 1000);
                c.upsert(null, TestData.points(batch, from), false);
            }
            c.refresh();
            assertThat(c.count(null, null), is((long) N));
            float[][] normalized = new float[N][];
            for (int i = 0; i < N; i++) {
                normalized[i] = Distance.COSINE.prepare(vectors[i], "v");
            }
            int found = 0;
            for (float[] q : queries) {
                Set<Long> exact = exactTopK(normalized, Distance.COSINE.prepare(q, "q"));
                for (ScoredPoint p : c.search(null, new SearchRequest(q, K, 0, null, null, null, false, false))) {
                    if (exact.contains(Long.parseLong(p.id().value()))) {
                        found++;
                    }
                }
            }
            if (storage != Storage.FLOAT32) {
                long quantizedBytes = c.info(null).vectorBytes();
                assertThat("int8 vectors take at most 0.4x the float bytes", (double) quantizedBytes,
                           org.hamcrest.Matchers.lessThanOrEqualTo(0.4 * N * DIM * 4));
            }
            return found / (double) (QUERIES * K);
        }
    }

    private static Set<Long> exactTopK(float[][] vectors, float[] q) {
        List<long[]> scored = new ArrayList<>();
        float[] scores = new float[vectors.length];
        Integer[] idx = new Integer[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            scores[i] = Distance.COSINE.score(q, vectors[i]);
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(scores[b], scores[a]));
        Set<Long> out = new HashSet<>();
        for (int i = 0; i < K; i++) {
            out.add((long) idx[i]);
        }
        scored.clear();
        return out;
    }
}
