package ai.universal.ml;

import java.time.Duration;

/**
 * How the {@link EmbeddingBatcher} gathers texts into one model call.
 *
 * @param maxBatchSize   most texts in one call; 1 turns batching off
 * @param maxBatchTokens most padded tokens (texts x longest text) in one call, which bounds the call's memory
 * @param maxWait        how long a call may wait for more texts once it has its first one
 * @param queueCapacity  most texts waiting; a request that does not fit is refused, not queued
 * @param workers        threads running model calls, each on its share of the cores; a gathered batch is split
 *                       among idle workers
 */
public record BatchingPolicy(int maxBatchSize, int maxBatchTokens, Duration maxWait, int queueCapacity, int workers) {

    /** Defaults: 32 texts or 8192 padded tokens per call, 2 ms wait, 1024 texts queued, two workers. */
    public static final BatchingPolicy DEFAULT = new BatchingPolicy(32, 8192, Duration.ofMillis(2), 1024, 2);

    /** Validates the numbers. */
    public BatchingPolicy {
        if (maxBatchSize < 1 || maxBatchTokens < 1 || queueCapacity < 1 || workers < 1) {
            throw new IllegalArgumentException("batching sizes must be positive: " + maxBatchSize + ", "
                                                       + maxBatchTokens + ", " + queueCapacity + ", " + workers);
        }
        if (maxWait == null || maxWait.isNegative()) {
            throw new IllegalArgumentException("max wait must be zero or positive");
        }
    }

    /** The same policy with batching off: one text per model call, no waiting. */
    public BatchingPolicy unbatched() {
        return new BatchingPolicy(1, maxBatchTokens, Duration.ZERO, queueCapacity, workers);
    }
}
