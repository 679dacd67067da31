package ai.universal.ml;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real model, but the first model call waits until the test calls {@link #release()}: that lets a test
 * fill the queue behind a call in flight without relying on timing.
 */
final class HeldEncoder implements BatchEncoder {

    private final BatchEncoder model;
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();

    HeldEncoder(BatchEncoder model) {
        this.model = model;
    }

    @Override
    public float[][] encode(List<TokenizedText> texts) {
        calls.incrementAndGet();
        try {
            if (!released.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the held model call");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return model.encode(texts);
    }

    /** Model calls entered so far. */
    int calls() {
        return calls.get();
    }

    void release() {
        released.countDown();
    }
}
