package ai.universal.vector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of the kill -9 test: writers upsert batches into an on-disk store and print
 * {@code ACK <first> <last>} for each acknowledged batch until the parent kills the process.
 */
public final class IngestUntilKilled {

    private IngestUntilKilled() {
    }

    /**
     * Runs writers forever.
     *
     * @param args data folder
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        VectorStore store = VectorStore.open(Path.of(args[0]), Duration.ofMillis(100), 1000);
        Collection c = store.create(CollectionConfig.of("durable", 16, Distance.EUCLIDEAN));
        System.out.println("READY");
        System.out.flush();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(Thread.ofPlatform().start(() -> {
                float[][] vectors = TestData.clustered(20, 16, 2, writer);
                for (long batch = 0; ; batch++) {
                    long first = writer * 1_000_000L + batch * 20;
                    List<Point> points = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        points.add(new Point(PointId.of(first + i), vectors[i], null));
                    }
                    c.upsert(null, points, false);
                    synchronized (System.out) {
                        System.out.println("ACK " + first + " " + (first + 19));
                        System.out.flush();
                    }
                }
            }));
        }
        for (Thread t : writers) {
            t.join();
        }
    }
}
