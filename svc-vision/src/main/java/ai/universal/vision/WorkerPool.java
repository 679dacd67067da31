package ai.universal.vision;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded pool every decode runs on: a fixed number of platform threads (native code pins a virtual thread
 * anyway) and a bounded queue. A full queue is refused at once with 429 + Retry-After; a job that does not finish
 * within the time limit answers 422 {@code processing_timeout} (503 {@code overloaded} when it never left the queue).
 * A timed-out job is interrupted and stops at the next operation boundary; native calls already running finish on
 * their worker and release their memory there.
 */
public final class WorkerPool implements AutoCloseable {
    private final ThreadPoolExecutor executor;
    private final Duration timeout;
    private final int retryAfterSeconds;
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();

    /**
     * Create.
     *
     * @param workers           threads
     * @param queueCapacity     jobs waiting beyond the running ones
     * @param timeout           most time from submission to answer
     * @param retryAfterSeconds Retry-After for 429 and 503
     */
    public WorkerPool(int workers, int queueCapacity, Duration timeout, int retryAfterSeconds) {
        if (workers < 1 || queueCapacity < 0) {
            throw new IllegalArgumentException("VISION_WORKERS must be at least 1 and VISION_QUEUE at least 0");
        }
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                                               queueCapacity == 0 ? new java.util.concurrent.SynchronousQueue<>()
                                                       : new ArrayBlockingQueue<>(queueCapacity),
                                               r -> {
                                                   Thread t = new Thread(r, "vision-worker-" + n.incrementAndGet());
                                                   t.setDaemon(true);
                                                   return t;
                                               },
                                               new ThreadPoolExecutor.AbortPolicy());
        this.timeout = timeout;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * Run a job and wait for its result.
     *
     * @param job job
     * @param <T> result type
     * @return result
     * @throws VisionException 429 when full, 422/503 on timeout, or whatever the job threw
     */
    public <T> T run(Callable<T> job) {
        AtomicBoolean started = new AtomicBoolean();
        FutureTask<T> task = new FutureTask<>(() -> {
            started.set(true);
            return job.call();
        });
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            rejected.incrementAndGet();
            throw VisionException.busy(retryAfterSeconds);
        }
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            timedOut.incrementAndGet();
            if (!started.get()) {
                throw VisionException.overloaded(retryAfterSeconds);
            }
            throw VisionException.unprocessable("processing_timeout", "The image took longer than "
                    + timeout.toMillis() + " ms to decode and process");
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw VisionException.overloaded(retryAfterSeconds);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * Jobs running now.
     *
     * @return count
     */
    public int active() {
        return executor.getActiveCount();
    }

    /**
     * Jobs waiting.
     *
     * @return count
     */
    public int queued() {
        return executor.getQueue().size();
    }

    /**
     * Jobs refused because the queue was full.
     *
     * @return count
     */
    public long rejected() {
        return rejected.get();
    }

    /**
     * Jobs that ran past the time limit.
     *
     * @return count
     */
    public long timedOut() {
        return timedOut.get();
    }

    /**
     * Worker count.
     *
     * @return threads
     */
    public int workers() {
        return executor.getCorePoolSize();
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
