package ai.universal.ml;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Dynamic batching in front of a {@link BatchEncoder}: texts from concurrent requests wait in one bounded queue and
 * worker threads take them out in batches, one model call per batch.
 *
 * <p>Contract:
 * <ul>
 *     <li>{@link #embed(List)} blocks until every text of the request has its vector and returns them in order;
 *     a request's texts are admitted all together or not at all.</li>
 *     <li>A batch closes when it holds {@code maxBatchSize} texts, when one more text would pass
 *     {@code maxBatchTokens} padded tokens, or {@code maxWait} after its oldest text was queued, whichever comes
 *     first.</li>
 *     <li>It waits for company only when company is to be expected: when requests have recently been arriving less
 *     than {@code maxWait} apart on average (each gap counted as at most four times {@code maxWait}, so one quiet
 *     spell is forgotten after a few quick arrivals). A lone caller — one request at a time, each after the last was
 *     answered — gets its batch at once instead of paying the window on every call.</li>
 *     <li>One worker gathers at a time. When it closes a batch of two or more texts while other workers stand idle,
 *     it sorts the batch by token count and keeps only the shortest share; the rest goes back to the head of the
 *     queue, where the next idle worker takes it at once (its wait is already over). So one burst runs as several
 *     model calls in parallel, each padded only to its own longest text, instead of one call while the other
 *     workers wait.</li>
 *     <li>When the queue cannot take all of a request's texts, {@link QueueFullException} is thrown at once.</li>
 *     <li>A model failure fails exactly the requests whose texts were in that batch.</li>
 * </ul>
 */
public final class EmbeddingBatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EmbeddingBatcher.class.getName());

    private final BatchEncoder encoder;
    private final BatchingPolicy policy;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final Condition gatherable = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong texts = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong largestBatch = new AtomicLong();
    private final AtomicLong recentBatchNanos = new AtomicLong();
    private final LongSupplier clock;
    private long lastArrival = Long.MIN_VALUE;
    // mean gap between request arrivals (exponentially weighted, 1/4 per arrival; the first arrival counts as a full
    // capped gap, so it goes alone and the arrivals right behind it wait for company)
    private long meanGap;
    private boolean gathering;
    private int idleWorkers;
    private volatile boolean closed;

    /**
     * Start the batcher and its worker threads.
     *
     * @param name    used in thread names
     * @param encoder the model
     * @param policy  batch bounds and queue size
     */
    public EmbeddingBatcher(String name, BatchEncoder encoder, BatchingPolicy policy) {
        this(name, encoder, policy, System::nanoTime);
    }

    /**
     * Start the batcher on another clock (tests).
     *
     * @param name    used in thread names
     * @param encoder the model
     * @param policy  batch bounds and queue size
     * @param clock   nanosecond clock for arrival times and the gathering window
     */
    EmbeddingBatcher(String name, BatchEncoder encoder, BatchingPolicy policy, LongSupplier clock) {
        this.clock = clock;
        this.encoder = encoder;
        this.policy = policy;
        for (int i = 0; i < policy.workers(); i++) {
            Thread worker = Thread.ofPlatform().daemon().name("embed-" + name + "-" + i).start(this::work);
            workers.add(worker);
        }
    }

    /** The bounds this batcher runs with. */
    public BatchingPolicy policy() {
        return policy;
    }

    /**
     * Embed a request's texts, batched with whatever else is waiting.
     *
     * @param request tokenised texts, at most the queue's capacity
     * @return one vector per text, same order
     * @throws QueueFullException   if the queue has no room for all of them
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public List<float[]> embed(List<TokenizedText> request) throws InterruptedException {
        if (request.size() > policy.queueCapacity()) {
            throw new IllegalArgumentException(request.size() + " texts are more than the queue holds ("
                                                       + policy.queueCapacity() + ")");
        }
        List<Pending> pending = new ArrayList<>(request.size());
        long now = clock.getAsLong();
        for (TokenizedText text : request) {
            pending.add(new Pending(text, now, new CompletableFuture<>()));
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("embedding batcher is closed");
            }
            if (queue.size() + pending.size() > policy.queueCapacity()) {
                rejected.incrementAndGet();
                throw new QueueFullException(queue.size(), policy.queueCapacity(), retryAfterSeconds());
            }
            arrived(now);
            queue.addAll(pending);
            queued.signalAll();
        } finally {
            lock.unlock();
        }
        List<float[]> vectors = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            try {
                vectors.add(p.result().get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        return vectors;
    }

    /** Counters since start. */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(batches.get(), texts.get(), rejected.get(), largestBatch.get(), queue.size(), idleWorkers);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the workers after their current batch and fails every text still waiting. */
    @Override
    public void close() {
        List<Pending> left;
        lock.lock();
        try {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            queued.signalAll();
            gatherable.signalAll();
        } finally {
            lock.unlock();
        }
        left.forEach(p -> p.result().completeExceptionally(new IllegalStateException("embedding batcher closed")));
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void work() {
        while (true) {
            List<Pending> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch.isEmpty()) {
                return;
            }
            run(batch);
        }
    }

    // Waits for its turn to gather and for a first text, then gathers more until a bound is hit; empty only when
    // closed. Workers waiting here count as idle, and the batch is shared with them (see the class comment).
    private List<Pending> nextBatch() throws InterruptedException {
        lock.lock();
        idleWorkers++;
        boolean idle = true;
        boolean turn = false;
        try {
            while (gathering && !closed) {
                gatherable.await();
            }
            gathering = true;
            turn = true;
            while (queue.isEmpty() && !closed) {
                queued.await();
            }
            idleWorkers--;
            idle = false;
            return closed ? List.of() : share(gather());
        } finally {
            if (idle) {
                idleWorkers--;
            }
            if (turn) {
                gathering = false;
                gatherable.signal();
            }
            lock.unlock();
        }
    }

    // Called with the lock held.
    private void arrived(long now) {
        long cap = 4 * policy.maxWait().toNanos();
        long gap = lastArrival == Long.MIN_VALUE ? cap : Math.min(cap, Math.max(0, now - lastArrival));
        lastArrival = now;
        meanGap += (gap - meanGap) / 4;
    }

    // Called with the lock held and at least one text queued. Without company in sight the batch is what is queued now.
    private List<Pending> gather() throws InterruptedException {
        List<Pending> batch = new ArrayList<>(policy.maxBatchSize());
        long wait = meanGap < policy.maxWait().toNanos() ? policy.maxWait().toNanos() : 0;
        long deadline = queue.peekFirst().queuedAt() + wait;
        int longest = 0;
        while (true) {
            while (!queue.isEmpty() && batch.size() < policy.maxBatchSize()) {
                int next = Math.max(longest, queue.peekFirst().text().length());
                if (!batch.isEmpty() && (long) next * (batch.size() + 1) > policy.maxBatchTokens()) {
                    return batch;
                }
                batch.add(queue.pollFirst());
                longest = next;
            }
            long left = deadline - clock.getAsLong();
            if (batch.size() >= policy.maxBatchSize() || left <= 0 || closed) {
                return batch;
            }
            queued.awaitNanos(left);
        }
    }

    // Called with the lock held: keeps the shortest share of the batch and queues the rest first for idle workers.
    private List<Pending> share(List<Pending> batch) {
        if (idleWorkers == 0 || batch.size() < 2) {
            return batch;
        }
        int parts = Math.min(idleWorkers + 1, batch.size());
        batch.sort(Comparator.comparingInt(p -> p.text().length()));
        int keep = (batch.size() + parts - 1) / parts;
        // Handed back as already past their wait: the next worker runs them without gathering for longer.
        long due = clock.getAsLong() - policy.maxWait().toNanos();
        for (int i = batch.size() - 1; i >= keep; i--) {
            Pending p = batch.remove(i);
            queue.addFirst(new Pending(p.text(), due, p.result()));
        }
        return batch;
    }

    private void run(List<Pending> batch) {
        long start = System.nanoTime();
        float[][] vectors = null;
        Throwable failure = null;
        try {
            List<TokenizedText> input = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                input.add(p.text());
            }
            vectors = encoder.encode(input);
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.log(Level.WARNING, "embedding batch of " + batch.size() + " failed: " + e);
        }
        // Counters first, so a caller that got its vectors sees its batch counted.
        recentBatchNanos.set(System.nanoTime() - start);
        batches.incrementAndGet();
        texts.addAndGet(batch.size());
        largestBatch.accumulateAndGet(batch.size(), Math::max);
        for (int i = 0; i < batch.size(); i++) {
            if (failure == null) {
                batch.get(i).result().complete(vectors[i]);
            } else {
                batch.get(i).result().completeExceptionally(failure);
            }
        }
    }

    // Time to work off what is queued now at the last batch's pace, in whole seconds, at least 1.
    private int retryAfterSeconds() {
        double batchesAhead = Math.ceil((double) queue.size() / (policy.maxBatchSize() * policy.workers()));
        double seconds = batchesAhead * recentBatchNanos.get() / 1e9;
        return (int) Math.max(1, Math.min(60, Math.ceil(seconds)));
    }

    private record Pending(TokenizedText text, long queuedAt, CompletableFuture<float[]> result) {
    }

    /**
     * Batcher counters.
     *
     * @param batches      model calls made
     * @param texts        texts embedded
     * @param rejected     requests refused because the queue was full
     * @param largestBatch most texts seen in one call
     * @param queued       texts waiting now
     * @param idleWorkers  workers waiting for texts now
     */
    public record Stats(long batches, long texts, long rejected, long largestBatch, int queued, int idleWorkers) {
    }
}
