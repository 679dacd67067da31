package ai.universal.auth;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds password hashing, the one thing here that costs real memory (19 MiB per Argon2id run) and CPU: at most
 * {@code concurrency} hashes run at once, at most {@code queue} more callers wait, each for at most {@code wait}.
 * Anyone beyond that is refused at once with {@link AuthFailure.Reason#BUSY} — a flood of logins costs bounded memory
 * and bounded threads, never an unbounded queue.
 */
public final class HashingBulkhead {
    private final Semaphore running;
    private final Semaphore admitted;
    private final Duration wait;
    private final int concurrency;

    /**
     * Create.
     *
     * @param concurrency hashes at once
     * @param queue       callers allowed to wait beyond those
     * @param wait        longest wait for a slot
     */
    public HashingBulkhead(int concurrency, int queue, Duration wait) {
        if (concurrency < 1 || queue < 0) {
            throw new IllegalArgumentException("HASH_CONCURRENCY must be ≥ 1 and HASH_QUEUE ≥ 0");
        }
        this.concurrency = concurrency;
        this.running = new Semaphore(concurrency, true);
        this.admitted = new Semaphore(concurrency + queue);
        this.wait = wait;
    }

    /**
     * Run hashing work inside the bulkhead.
     *
     * @param work the work
     * @param <T>  result type
     * @return its result
     * @throws AuthFailure BUSY when no slot frees in time or the queue is full
     */
    public <T> T run(Supplier<T> work) {
        if (!admitted.tryAcquire()) {
            throw busy();
        }
        try {
            if (!running.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw busy();
            }
            try {
                return work.get();
            } finally {
                running.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy();
        } finally {
            admitted.release();
        }
    }

    /**
     * Hashes allowed at once.
     *
     * @return concurrency
     */
    public int concurrency() {
        return concurrency;
    }

    private static AuthFailure busy() {
        return AuthFailure.retryLater(AuthFailure.Reason.BUSY, "Too many sign-ins are being processed; retry shortly",
                                      Duration.ofSeconds(1));
    }
}
