package ai.universal.auth;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds password hashing, the one thing here that costs real memory (19 MiB per Argon2id run) and CPU: at most
 * {@code concurrency} hashes run at once, at most {@code queue} more callers wait, each for at most {@code wait}.
 * Anyone beyond that is refused at once with {@link AuthFailure.Reason#BUSY}. A sign-in takes its place
 * ({@link #admit()}) before touching the database or Redis, so a flood of logins queues nowhere else either (not in
 * the connection pool): bounded memory, bounded threads, never an unbounded queue.
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
     * A place in the bulkhead (running or queued), held for a whole sign-in so that at most
     * {@code concurrency + queue} sign-ins are in progress at all — their database and Redis work included.
     */
    public final class Admission implements AutoCloseable {
        private boolean open = true;

        private Admission() {
        }

        /**
         * Run hashing work once a hashing slot is free.
         *
         * @param work the work
         * @param <T>  result type
         * @return its result
         * @throws AuthFailure BUSY when no slot frees within the wait
         */
        public <T> T hash(Supplier<T> work) {
            try {
                if (!running.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw busy();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw busy();
            }
            try {
                return work.get();
            } finally {
                running.release();
            }
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                admitted.release();
            }
        }
    }

    /**
     * Take a place, or be refused at once.
     *
     * @return the admission, to close when the sign-in is done
     * @throws AuthFailure BUSY when every place is taken
     */
    public Admission admit() {
        if (!admitted.tryAcquire()) {
            throw busy();
        }
        return new Admission();
    }

    /**
     * Admit and hash in one go.
     *
     * @param work the work
     * @param <T>  result type
     * @return its result
     * @throws AuthFailure BUSY when no place or slot is free in time
     */
    public <T> T run(Supplier<T> work) {
        try (Admission admission = admit()) {
            return admission.hash(work);
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
