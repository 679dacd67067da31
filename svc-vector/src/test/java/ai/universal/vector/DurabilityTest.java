package ai.universal.vector;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** An acknowledged upsert survives kill -9 of the process that acknowledged it. */
class DurabilityTest {

    private static final int ACKS_BEFORE_KILL = 200;

    @TempDir
    Path data;

    @Test
    void everyAcknowledgedPointSurvivesKillDashNine() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
                                           "-cp", System.getProperty("java.class.path"),
                                           IngestUntilKilled.class.getName(), data.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<long[]> acked = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                                                                           StandardCharsets.UTF_8))) {
            String line;
            while (acked.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
                assertThat("child still within its deadline", System.nanoTime(), lessThan(deadline));
                if (line.startsWith("ACK ")) {
                    String[] parts = line.split(" ");
                    acked.add(new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
                }
            }
            // SIGKILL while the writers are mid-batch; acknowledgements printed after the last one read are not counted
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS), is(true));
        } finally {
            child.destroyForcibly();
        }
        assertThat("SIGKILL exit status", child.exitValue(), is(137));
        assertThat(acked.size(), greaterThanOrEqualTo(ACKS_BEFORE_KILL));

        try (VectorStore store = VectorStore.open(data, Duration.ofMillis(100), 1000)) {
            Collection c = store.get("durable");
            List<PointId> ids = new ArrayList<>();
            for (long[] batch : acked) {
                for (long id = batch[0]; id <= batch[1]; id++) {
                    ids.add(PointId.of(id));
                }
            }
            int missing = 0;
            for (int from = 0; from < ids.size(); from += 5000) {
                List<PointId> chunk = ids.subList(from, Math.min(ids.size(), from + 5000));
                missing += chunk.size() - c.get(null, chunk, false, false).size();
            }
            assertThat("acknowledged points missing after kill -9", missing, is(0));
            assertThat(c.count(null, null), greaterThanOrEqualTo((long) ids.size()));
            assertThat("whole batches only", c.count(null, null) % 20, is(0L));
        }
    }
}
