package ai.universal.ml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EmbeddingBatcherTest {

    private final OnnxSentenceEncoder model = TestModels.miniLm();

    @Test
    void concurrentRequestsAreBatchedAndEachGetsItsOwnVectorBack() throws Exception {
        int clients = 24;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            texts.add("Sentence number " + i + " talks about topic " + (char) ('a' + i) + ".");
        }
        HeldEncoder held = new HeldEncoder(model);
        BatchingPolicy policy = new BatchingPolicy(32, 8192, Duration.ofMillis(2), 64, 1);
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", held, policy);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<float[]>> results = new ArrayList<>();
            results.add(pool.submit(() -> batcher.embed(List.of(model.tokenize(texts.get(0), false))).getFirst()));
            Poll.until("the first model call is in flight", () -> held.calls() == 1);
            for (int i = 1; i < clients; i++) {
                String text = texts.get(i);
                results.add(pool.submit(() -> batcher.embed(List.of(model.tokenize(text, false))).getFirst()));
            }
            Poll.until("the other clients are queued", () -> batcher.stats().queued() == clients - 1);
            held.release();
            for (int i = 0; i < clients; i++) {
                float[] expected = model.encode(List.of(model.tokenize(texts.get(i), false)))[0];
                float[] actual = results.get(i).get();
                for (int d = 0; d < expected.length; d++) {
                    assertThat("client " + i + " dimension " + d, (double) actual[d], closeTo(expected[d], 1e-5));
                }
            }
            EmbeddingBatcher.Stats stats = batcher.stats();
            assertThat(stats.batches(), is(2L));
            assertThat(stats.largestBatch(), is((long) clients - 1));
            assertThat(stats.texts(), is((long) clients));
        }
    }

    @Test
    void aBurstIsSplitByLengthAmongIdleWorkersAndEachTextGetsItsOwnVector() throws Exception {
        List<List<Integer>> calls = new CopyOnWriteArrayList<>();
        BatchEncoder recording = texts -> {
            calls.add(texts.stream().map(TokenizedText::length).sorted().toList());
            return model.encode(texts);
        };
        // Eight texts of 3..10 tokens ([CLS] and [SEP] included), sent shuffled in one request.
        List<String> texts = new ArrayList<>();
        for (int words : new int[] {5, 1, 8, 3, 7, 2, 6, 4}) {
            texts.add("word ".repeat(words).trim());
        }
        BatchingPolicy policy = new BatchingPolicy(32, 8192, Duration.ofMillis(2), 64, 2);
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", recording, policy)) {
            Poll.until("both workers are idle", () -> batcher.stats().idleWorkers() == 2);
            List<float[]> vectors = batcher.embed(texts.stream().map(t -> model.tokenize(t, false)).toList());
            assertThat(calls.size(), is(2));
            assertThat(new HashSet<>(calls), is(Set.of(List.of(3, 4, 5, 6), List.of(7, 8, 9, 10))));
            for (int i = 0; i < texts.size(); i++) {
                float[] expected = model.encode(List.of(model.tokenize(texts.get(i), false)))[0];
                for (int d = 0; d < expected.length; d++) {
                    assertThat("text " + i + " dimension " + d, (double) vectors.get(i)[d], closeTo(expected[d], 1e-5));
                }
            }
            assertThat(batcher.stats().batches(), is(2L));
            assertThat(batcher.stats().largestBatch(), is(4L));
        }
    }

    @Test
    void batchesNeverExceedTheMaxBatchSize() throws Exception {
        HeldEncoder held = new HeldEncoder(model);
        BatchingPolicy policy = new BatchingPolicy(4, 8192, Duration.ofMillis(2), 64, 1);
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", held, policy);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<float[]>> first = pool.submit(() -> batcher.embed(List.of(model.tokenize("first", false))));
            Poll.until("the first model call is in flight", () -> held.calls() == 1);
            List<TokenizedText> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ten.add(model.tokenize("text " + i, false));
            }
            Future<List<float[]>> big = pool.submit(() -> batcher.embed(ten));
            Poll.until("ten texts are queued", () -> batcher.stats().queued() == 10);
            held.release();
            assertThat(first.get().size(), is(1));
            assertThat(big.get().size(), is(10));
            assertThat(batcher.stats().largestBatch(), is(4L));
            assertThat(batcher.stats().batches(), is(4L));
        }
    }

    @Test
    void maxBatchTokensSplitsLongTexts() throws Exception {
        HeldEncoder held = new HeldEncoder(model);
        // 100 padded tokens per call: two texts of 40 tokens fit, a third does not.
        BatchingPolicy policy = new BatchingPolicy(32, 100, Duration.ofMillis(2), 64, 1);
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", held, policy);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<float[]>> first = pool.submit(() -> batcher.embed(List.of(model.tokenize("first", false))));
            Poll.until("the first model call is in flight", () -> held.calls() == 1);
            TokenizedText forty = model.tokenize("word ".repeat(38), false);
            assertThat(forty.length(), is(40));
            Future<List<float[]>> three = pool.submit(() -> batcher.embed(List.of(forty, forty, forty)));
            Poll.until("three texts are queued", () -> batcher.stats().queued() == 3);
            held.release();
            first.get();
            assertThat(three.get().size(), is(3));
            assertThat(batcher.stats().largestBatch(), lessThanOrEqualTo(2L));
            assertThat(batcher.stats().batches(), is(3L));
        }
    }

    @Test
    void fullQueueRejectsAtOnceWithRetryAfter() throws Exception {
        HeldEncoder held = new HeldEncoder(model);
        BatchingPolicy policy = new BatchingPolicy(8, 8192, Duration.ZERO, 3, 1);
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", held, policy);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<float[]>> inFlight = pool.submit(() -> batcher.embed(List.of(model.tokenize("a", false))));
            Poll.until("the first model call is in flight", () -> held.calls() == 1);
            Future<List<float[]>> queued = pool.submit(() -> batcher.embed(List.of(model.tokenize("b", false),
                                                                                    model.tokenize("c", false))));
            Poll.until("two texts are queued", () -> batcher.stats().queued() == 2);
            QueueFullException e = assertThrows(QueueFullException.class,
                                                () -> batcher.embed(List.of(model.tokenize("d", false),
                                                                            model.tokenize("e", false))));
            assertThat(e.getMessage(), containsString("2 of 3 texts waiting"));
            assertThat(e.retryAfterSeconds(), is(1));
            assertThat(batcher.stats().rejected(), is(1L));
            held.release();
            assertThat(inFlight.get().size(), is(1));
            assertThat(queued.get().size(), is(2));
            assertThat(batcher.embed(List.of(model.tokenize("d", false))).size(), is(1));
        }
    }

    @Test
    void aFailingModelCallFailsOnlyTheRequestsInThatBatch() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        BatchEncoder failsFirst = texts -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("model call failed");
            }
            return model.encode(texts);
        };
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", failsFirst, BatchingPolicy.DEFAULT)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                                                   () -> batcher.embed(List.of(model.tokenize("x", false))));
            assertThat(e.getMessage(), is("model call failed"));
            assertThat(batcher.embed(List.of(model.tokenize("y", false))).getFirst().length, is(384));
        }
    }

    @Test
    void unbatchedPolicyRunsOneTextPerCall() throws Exception {
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", model, BatchingPolicy.DEFAULT.unbatched())) {
            List<float[]> vectors = batcher.embed(List.of(model.tokenize("one", false), model.tokenize("two", false),
                                                          model.tokenize("three", false)));
            assertThat(vectors.size(), is(3));
            assertThat(batcher.stats().batches(), is(3L));
            assertThat(batcher.stats().largestBatch(), is(1L));
        }
    }

    @Test
    @Timeout(30)
    void aLoneCallerIsNotHeldForTheWindow() throws Exception {
        // A window of a day: a call that waited for company would not come back before the test's time-out.
        BatchingPolicy policy = new BatchingPolicy(32, 8192, Duration.ofDays(1), 64, 1);
        AtomicLong clock = new AtomicLong();
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", model, policy, clock::get)) {
            for (int i = 0; i < 3; i++) {
                clock.addAndGet(Duration.ofDays(2).toNanos());
                assertThat(batcher.embed(List.of(model.tokenize("alone " + i, false))).getFirst().length, is(384));
            }
            assertThat(batcher.stats().batches(), is(3L));
            assertThat(batcher.stats().largestBatch(), is(1L));
        }
    }

    @Test
    @Timeout(30)
    void requestsArrivingCloseTogetherWaitForCompany() throws Exception {
        // The clock stands still: after the first request every gap is 0, so the second waits (a day) for a third,
        // which fills the batch of two.
        BatchingPolicy policy = new BatchingPolicy(2, 8192, Duration.ofDays(1), 64, 1);
        AtomicLong clock = new AtomicLong();
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", model, policy, clock::get);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            assertThat(batcher.embed(List.of(model.tokenize("first", false))).size(), is(1));
            Poll.until("the worker is idle again", () -> batcher.stats().idleWorkers() == 1);
            Future<List<float[]>> second = pool.submit(() -> batcher.embed(List.of(model.tokenize("second", false))));
            Poll.until("the second text is taken into a batch", () -> batcher.stats().queued() == 0
                    && batcher.stats().idleWorkers() == 0);
            Future<List<float[]>> third = pool.submit(() -> batcher.embed(List.of(model.tokenize("third", false))));
            assertThat(second.get().size(), is(1));
            assertThat(third.get().size(), is(1));
            assertThat(batcher.stats().batches(), is(2L));
            assertThat(batcher.stats().largestBatch(), is(2L));
        }
    }

    @Test
    void requestLargerThanTheQueueIsRefused() {
        BatchingPolicy policy = new BatchingPolicy(8, 8192, Duration.ZERO, 2, 1);
        try (EmbeddingBatcher batcher = new EmbeddingBatcher("test", model, policy)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> batcher.embed(
                    List.of(model.tokenize("a", false), model.tokenize("b", false), model.tokenize("c", false))));
            assertThat(e.getMessage(), is("3 texts are more than the queue holds (2)"));
        }
    }
}
