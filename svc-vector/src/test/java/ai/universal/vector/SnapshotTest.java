package ai.universal.vector;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static ai.universal.vector.TestData.vec;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshots on disk: consistent under concurrent writes, listed, checksummed, restored, deleted. */
class SnapshotTest {

    private static final int BATCH = 10;

    @TempDir
    Path data;

    private VectorStore store;

    @BeforeEach
    void open() throws Exception {
        store = VectorStore.open(data, Duration.ofMillis(20), 1000);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void snapshotUnderConcurrentWritesHoldsExactlyWholeAcknowledgedBatches() throws Exception {
        Collection live = store.create(CollectionConfig.of("live", 4, Distance.EUCLIDEAN));
        Set<Long> started = ConcurrentHashMap.newKeySet();
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            long base = w * 1_000_000L;
            writers.add(Thread.ofVirtual().start(() -> {
                for (long b = 0; !stop.get(); b++) {
                    List<Point> points = new ArrayList<>();
                    for (int i = 0; i < BATCH; i++) {
                        long id = base + b * BATCH + i;
                        started.add(id);
                        points.add(new Point(PointId.of(id), vec(id % 7, i, 1, 0), TestData.payload("{\"b\":" + b + "}")));
                    }
                    live.upsert(null, points, false);
                    for (Point p : points) {
                        acked.add(Long.parseLong(p.id().value()));
                    }
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.size() < 300) {
            assertTrue(System.nanoTime() < deadline, "writers acknowledged 300 points in time");
            Thread.onSpinWait();
        }
        Set<Long> ackedBefore = new HashSet<>(acked);
        SnapshotInfo snap = store.createSnapshot("live");
        Set<Long> startedBeforeEnd = new HashSet<>(started);
        while (acked.size() < ackedBefore.size() + 300) {
            assertTrue(System.nanoTime() < deadline, "writers kept going after the snapshot");
            Thread.onSpinWait();
        }
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }

        assertThat(snap.name(), startsWith("live-"));
        assertThat(snap.checksum(), is(VectorStore.checksum(store.snapshotFile("live", snap.name()))));
        assertThat(store.listSnapshots("live").stream().map(SnapshotInfo::name).toList(), contains(snap.name()));

        Collection restored = store.restore("live", snap.name(), "copy");
        Set<Long> inSnapshot = new HashSet<>();
        PointId offset = null;
        do {
            ScrollPage page = restored.scroll(null, null, 1000, offset, false, false);
            page.points().forEach(p -> inSnapshot.add(Long.parseLong(p.id().value())));
            offset = page.nextOffset();
        } while (offset != null);

        assertTrue(inSnapshot.containsAll(ackedBefore), "every point acknowledged before the snapshot is in it");
        assertTrue(startedBeforeEnd.containsAll(inSnapshot), "nothing written after the snapshot is in it");
        assertTrue(acked.containsAll(inSnapshot), "everything in it was acknowledged");
        for (long id : inSnapshot) {
            long first = id - id % BATCH;
            for (long j = first; j < first + BATCH; j++) {
                assertTrue(inSnapshot.contains(j), "batch of " + id + " is whole");
            }
        }
        assertThat(store.get("live").count(null, null), is((long) acked.size()));
    }

    @Test
    void restoreOverTheSameCollectionRollsItBack() {
        Collection c = store.create(CollectionConfig.of("same", 2, Distance.EUCLIDEAN));
        c.upsert(null, List.of(new Point(PointId.of(1), vec(1, 1), null)), true);
        SnapshotInfo snap = store.createSnapshot("same");
        c.upsert(null, List.of(new Point(PointId.of(2), vec(2, 2), null)), true);
        Collection back = store.restore("same", snap.name(), "same");
        assertThat(back.count(null, null), is(1L));
        assertThat(store.get("same").get(null, List.of(PointId.of(2)), false, false), empty());
        back.upsert(null, List.of(new Point(PointId.of(3), vec(3, 3), null)), true);
        assertThat(back.count(null, null), is(2L));
    }

    @Test
    void restoredCollectionSurvivesReopeningTheStore() throws Exception {
        Collection c = store.create(CollectionConfig.of("src", 2, Distance.EUCLIDEAN));
        c.upsert(null, List.of(new Point(PointId.of(1), vec(1, 1), null)), true);
        SnapshotInfo snap = store.createSnapshot("src");
        store.restore("src", snap.name(), "dst");
        store.close();
        store = VectorStore.open(data, Duration.ofMillis(20), 1000);
        assertThat(store.get("dst").count(null, null), is(1L));
        assertThat(store.get("dst").config().name(), is("dst"));
    }

    @Test
    void badChecksumOrArchiveIsRefusedAndNothingIsReplaced() throws Exception {
        Collection c = store.create(CollectionConfig.of("keep", 2, Distance.EUCLIDEAN));
        c.upsert(null, List.of(new Point(PointId.of(1), vec(1, 1), null)), true);
        SnapshotInfo snap = store.createSnapshot("keep");
        Path file = store.snapshotFile("keep", snap.name());
        VectorException mismatch = assertThrows(VectorException.class,
                                                () -> store.restoreArchive(file, "keep", "00ff"));
        assertThat(mismatch.getMessage(), is("snapshot checksum mismatch: expected 00ff, archive has " + snap.checksum()));
        Path junk = data.resolve("junk.snapshot");
        Files.writeString(junk, "not a zip");
        VectorException bad = assertThrows(VectorException.class, () -> store.restoreArchive(junk, "keep", null));
        assertThat(bad.getMessage(), is("snapshot archive has no collection.json or no Lucene commit"));
        assertThat(store.get("keep").count(null, null), is(1L));

        store.deleteSnapshot("keep", snap.name());
        assertThat(store.listSnapshots("keep"), empty());
        VectorException gone = assertThrows(VectorException.class, () -> store.snapshotFile("keep", snap.name()));
        assertThat(gone.kind(), is(VectorException.Kind.NOT_FOUND));
        VectorException traversal = assertThrows(VectorException.class,
                                                 () -> store.snapshotFile("keep", "../../etc/passwd.snapshot"));
        assertThat(traversal.kind(), is(VectorException.Kind.BAD_REQUEST));
    }
}
