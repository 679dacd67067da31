package ai.universal.vector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static ai.universal.vector.TestData.json;
import static ai.universal.vector.TestData.payload;
import static ai.universal.vector.TestData.vec;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Collections and points on in-memory indexes (ByteBuffersDirectory). */
class CollectionTest {

    @TempDir
    Path snapshots;

    private VectorStore store;

    @BeforeEach
    void open() throws Exception {
        store = VectorStore.inMemory(snapshots, Duration.ofMillis(50), 100);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void createListGetDelete() {
        store.create(CollectionConfig.of("b", 3, Distance.COSINE));
        store.create(CollectionConfig.of("a", 4, Distance.EUCLIDEAN));
        assertThat(store.list().stream().map(CollectionConfig::name).toList(), contains("a", "b"));
        assertThat(store.get("a").config().dimension(), is(4));
        VectorException dup = assertThrows(VectorException.class,
                                           () -> store.create(CollectionConfig.of("a", 4, Distance.DOT)));
        assertThat(dup.kind(), is(VectorException.Kind.CONFLICT));
        assertThat(dup.getMessage(), is("collection 'a' already exists"));
        assertThat(store.delete("a"), is(true));
        assertThat(store.delete("a"), is(false));
        VectorException missing = assertThrows(VectorException.class, () -> store.get("a"));
        assertThat(missing.kind(), is(VectorException.Kind.NOT_FOUND));
    }

    @Test
    void dimensionUpTo4096IsIndexedThroughTheRegisteredFormat() {
        Collection c = store.create(CollectionConfig.of("big", 4096, Distance.MAX_INNER_PRODUCT));
        float[] v = new float[4096];
        v[4095] = 2f;
        c.upsert(null, List.of(new Point(PointId.of(1), v, null)), true);
        List<ScoredPoint> hits = c.search(null, SearchRequest.of(v, 1));
        assertThat(hits.getFirst().id(), is(PointId.of(1)));
        assertThat((double) hits.getFirst().score(), closeTo(4.0, 1e-5));
        VectorException tooBig = assertThrows(VectorException.class,
                                              () -> CollectionConfig.of("huge", 4097, Distance.COSINE));
        assertThat(tooBig.getMessage(), is("dimension must be between 1 and 4096, got 4097"));
    }

    @Test
    void upsertReplacesAndGetReturnsVectorAndPayload() {
        Collection c = store.create(CollectionConfig.of("c", 3, Distance.EUCLIDEAN));
        c.upsert(null, List.of(new Point(PointId.of(7), vec(1, 2, 3), payload("{\"color\":\"red\"}")),
                               new Point(PointId.ofString("x"), vec(0, 0, 1), null)), true);
        c.upsert(null, List.of(new Point(PointId.of(7), vec(3, 2, 1), payload("{\"color\":\"blue\"}"))), true);
        List<Point> got = c.get(null, List.of(PointId.ofString("x"), PointId.of(7), PointId.of(99)), true, true);
        assertThat(got.size(), is(2));
        assertThat(got.get(0).id(), is(PointId.ofString("x")));
        assertThat(got.get(1).payload().get("color").asText(), is("blue"));
        assertThat(got.get(1).vector()[0], is(3f));
        assertThat(c.count(null, null), is(2L));
    }

    @Test
    void cosineScoresAreRawSimilarityAndEuclideanScoresAreDistances() {
        Collection cos = store.create(CollectionConfig.of("cos", 2, Distance.COSINE));
        cos.upsert(null, List.of(new Point(PointId.of(1), vec(1, 0), null), new Point(PointId.of(2), vec(0, 5), null)),
                   true);
        List<ScoredPoint> hits = cos.search(null, SearchRequest.of(vec(1, 1), 2));
        assertThat((double) hits.get(0).score(), closeTo(Math.sqrt(0.5), 1e-5));
        Collection l2 = store.create(CollectionConfig.of("l2", 2, Distance.EUCLIDEAN));
        l2.upsert(null, List.of(new Point(PointId.of(1), vec(0, 0), null), new Point(PointId.of(2), vec(3, 4), null)),
                  true);
        hits = l2.search(null, SearchRequest.of(vec(0, 0), 2));
        assertThat(hits.get(0).id(), is(PointId.of(1)));
        assertThat((double) hits.get(1).score(), closeTo(5.0, 1e-5));
        SearchRequest threshold = new SearchRequest(vec(0, 0), 2, 0, null, 1f, null, false, false);
        assertThat(l2.search(null, threshold).stream().map(ScoredPoint::id).toList(), contains(PointId.of(1)));
    }

    @Test
    void badInputIsRejectedWithPreciseMessagesAndNothingIsWritten() {
        Collection c = store.create(CollectionConfig.of("bad", 3, Distance.DOT));
        List<Point> batch = new ArrayList<>();
        batch.add(new Point(PointId.of(1), vec(1, 0, 0), null));
        batch.add(new Point(PointId.of(2), vec(0, 1, 0), null));
        batch.add(new Point(PointId.of(3), vec(0, 1), null));
        VectorException dim = assertThrows(VectorException.class, () -> c.upsert(null, batch, true));
        assertThat(dim.getMessage(), is("points[2].vector has dimension 2 but the collection has dimension 3"));
        batch.set(2, new Point(PointId.of(3), vec(Float.NaN, 0, 0), null));
        VectorException nan = assertThrows(VectorException.class, () -> c.upsert(null, batch, true));
        assertThat(nan.getMessage(), is("points[2].vector[0] is NaN; components must be finite numbers"));
        batch.set(2, new Point(PointId.of(3), vec(2, 0, 0), null));
        VectorException unit = assertThrows(VectorException.class, () -> c.upsert(null, batch, true));
        assertThat(unit.getMessage(), containsString("points[2].vector is not unit length"));
        c.refresh();
        assertThat(c.count(null, null), is(0L));

        List<Point> tooMany = TestData.points(new float[101][3], 0);
        VectorException big = assertThrows(VectorException.class, () -> c.upsert(null, tooMany, true));
        assertThat(big.kind(), is(VectorException.Kind.TOO_LARGE));
        assertThat(big.getMessage(), is("batch has 101 points; the limit is 100"));

        VectorException k0 = assertThrows(VectorException.class, () -> c.search(null, SearchRequest.of(vec(1, 0, 0), 0)));
        assertThat(k0.getMessage(), is("limit must be at least 1, got 0"));
        VectorException huge = assertThrows(VectorException.class,
                                            () -> c.search(null, SearchRequest.of(vec(1, 0, 0), 1_000_000)));
        assertThat(huge.getMessage(), is("limit + offset must be at most 10000, got 1000000"));
        VectorException filter = assertThrows(VectorException.class,
                () -> c.search(null, SearchRequest.of(vec(1, 0, 0), 1).withFilter(json("{\"must\":[{\"key\":\"a\"}]}"))));
        assertThat(filter.getMessage(), is("filter.must[0] has a key but no match or range"));
    }

    @Test
    void deleteByIdsAndByFilter() {
        Collection c = store.create(CollectionConfig.of("del", 2, Distance.EUCLIDEAN));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            points.add(new Point(PointId.of(i), vec(i, 0), payload("{\"even\":" + (i % 2 == 0) + "}")));
        }
        c.upsert(null, points, true);
        c.delete(null, List.of(PointId.of(0), PointId.of(1)), true);
        assertThat(c.count(null, null), is(8L));
        c.deleteByFilter(null, json("{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}"), true);
        assertThat(c.count(null, null), is(4L));
        assertThat(c.scroll(null, null, 10, null, false, false).points().stream().map(p -> p.id().value()).toList(),
                   contains("3", "5", "7", "9"));
    }

    @Test
    void scrollPagesInIdOrderWithCursor() {
        Collection c = store.create(CollectionConfig.of("scroll", 2, Distance.EUCLIDEAN));
        List<Point> points = new ArrayList<>();
        for (int i : new int[] {10, 2, 33, 4, 100}) {
            points.add(new Point(PointId.of(i), vec(i, 1), null));
        }
        points.add(new Point(PointId.ofString("b"), vec(1, 1), null));
        points.add(new Point(PointId.ofString("a"), vec(1, 1), null));
        c.upsert(null, points, true);
        ScrollPage first = c.scroll(null, null, 3, null, true, false);
        assertThat(first.points().stream().map(p -> p.id().value()).toList(), contains("2", "4", "10"));
        assertThat(first.nextOffset(), is(PointId.of(33)));
        ScrollPage second = c.scroll(null, null, 3, first.nextOffset(), true, false);
        assertThat(second.points().stream().map(p -> p.id().value()).toList(), contains("33", "100", "a"));
        ScrollPage last = c.scroll(null, null, 3, second.nextOffset(), true, false);
        assertThat(last.points().stream().map(p -> p.id().value()).toList(), contains("b"));
        assertThat(last.nextOffset(), nullValue());
    }

    @Test
    void tenantsNeverSeeEachOthersPoints() {
        CollectionConfig cfg = new CollectionConfig("mt", 2, Distance.EUCLIDEAN, 16, 100, 100, Storage.FLOAT32, true, null);
        Collection c = store.create(cfg);
        c.upsert("alice", List.of(new Point(PointId.of(1), vec(0, 0), payload("{\"owner\":\"alice\"}"))), true);
        c.upsert("bob", List.of(new Point(PointId.of(1), vec(0, 0), payload("{\"owner\":\"bob\"}")),
                                new Point(PointId.of(2), vec(1, 1), payload("{\"owner\":\"bob\"}"))), true);
        assertThat(c.count("alice", null), is(1L));
        assertThat(c.count("bob", null), is(2L));
        List<ScoredPoint> hits = c.search("alice", SearchRequest.of(vec(0, 0), 10));
        assertThat(hits.size(), is(1));
        assertThat(hits.getFirst().payload().get("owner").asText(), is("alice"));
        assertThat(c.get("alice", List.of(PointId.of(2)), true, false), empty());
        c.deleteByFilter("alice", json("{}"), true);
        assertThat(c.count("alice", null), is(0L));
        assertThat(c.count("bob", null), is(2L));
        VectorException none = assertThrows(VectorException.class, () -> c.count(null, null));
        assertThat(none.kind(), is(VectorException.Kind.FORBIDDEN));
    }

    @Test
    void hybridSearchFusesBm25AndKnn() {
        CollectionConfig cfg = new CollectionConfig("hy", 2, Distance.EUCLIDEAN, 16, 100, 100, Storage.FLOAT32, false,
                                                    "body");
        Collection c = store.create(cfg);
        c.upsert(null, List.of(
                new Point(PointId.of(1), vec(0, 0), payload("{\"body\":\"red apples and pears\"}")),
                new Point(PointId.of(2), vec(10, 10), payload("{\"body\":\"the lucene search library\"}")),
                new Point(PointId.of(3), vec(0.1f, 0), payload("{\"body\":\"green pears\"}"))), true);
        List<ScoredPoint> equal = c.hybrid(null, HybridRequest.of("lucene library", vec(0, 0), 3));
        Set<String> ids = equal.stream().map(p -> p.id().value()).collect(Collectors.toSet());
        assertThat(ids, is(Set.of("1", "2", "3")));
        assertThat(equal.getFirst().score(), greaterThan(0f));
        HybridRequest textHeavy = new HybridRequest("lucene library", vec(0, 0), 1, null, 0f, 1f, 60, 10, true, false);
        assertThat(c.hybrid(null, textHeavy).getFirst().id(), is(PointId.of(2)));
        HybridRequest vectorHeavy = new HybridRequest("lucene library", vec(0, 0), 1, null, 1f, 0.01f, 60, 10, true, false);
        assertThat(c.hybrid(null, vectorHeavy).getFirst().id(), is(PointId.of(1)));
        VectorException noText = assertThrows(VectorException.class, () -> store.create(CollectionConfig.of("nt", 2,
                Distance.COSINE)).hybrid(null, HybridRequest.of("x", vec(1, 0), 1)));
        assertThat(noText.getMessage(), containsString("has no text_field"));
    }

    @Test
    void quantizedCollectionsReturnExactScoresAndRawVectors() {
        for (Storage storage : new Storage[] {Storage.INT8, Storage.INT4}) {
            CollectionConfig cfg = new CollectionConfig("q" + storage.wireName(), 8, Distance.EUCLIDEAN, 16, 100, 100,
                                                        storage, false, null);
            Collection c = store.create(cfg);
            float[][] data = TestData.clustered(100, 8, 4, 1);
            c.upsert(null, TestData.points(data, 0), true);
            List<ScoredPoint> hits = c.search(null, new SearchRequest(data[5], 1, 0, null, null, null, false, true));
            assertThat(hits.getFirst().id(), is(PointId.of(5)));
            assertThat((double) hits.getFirst().score(), closeTo(0, 1e-6));
            assertThat(hits.getFirst().vector()[3], is(data[5][3]));
            assertThat(c.info(null).vectorBytes(), greaterThan(0L));
        }
    }
}
