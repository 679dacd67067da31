package ai.universal.auth;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashingBulkheadTest {

    @Test
    void refusesAtOnceWhenRunningAndQueueAreFull() throws Exception {
        HashingBulkhead bulkhead = new HashingBulkhead(1, 0, Duration.ofMinutes(1));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> holder = pool.submit(() -> bulkhead.run(() -> {
                inside.countDown();
                await(release);
                return "done";
            }));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            AuthFailure busy = assertThrows(AuthFailure.class, () -> bulkhead.run(() -> "never"));
            assertEquals(AuthFailure.Reason.BUSY, busy.reason());
            assertEquals(Duration.ofSeconds(1), busy.retryAfter());
            release.countDown();
            assertEquals("done", holder.get(10, TimeUnit.SECONDS));
        }
        assertEquals("again", bulkhead.run(() -> "again"));
    }

    @Test
    void aQueuedCallerGivesUpAfterTheBoundedWait() throws Exception {
        HashingBulkhead bulkhead = new HashingBulkhead(1, 1, Duration.ofMillis(50));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            pool.submit(() -> bulkhead.run(() -> {
                inside.countDown();
                await(release);
                return "done";
            }));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            AuthFailure busy = assertThrows(AuthFailure.class, () -> bulkhead.run(() -> "never"));
            assertEquals(AuthFailure.Reason.BUSY, busy.reason());
            release.countDown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
