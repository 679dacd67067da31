package ai.universal.vision;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ai.universal.vision.VisionHarness.Reply;

import org.junit.jupiter.api.Test;

import static ai.universal.vision.TestImages.png;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bounded pool: a full queue answers 429 + Retry-After at once; a job past the time limit answers 422 or 503. */
class WorkerLimitsTest {

    @Test
    void fullQueueIs429WithRetryAfterAndHeldJobsStillFinish() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (VisionHarness vision = VisionHarness.start(Map.of("VISION_WORKERS", "1", "VISION_QUEUE", "1",
                                                               "VISION_RETRY_AFTER", "3", "VISION_TIMEOUT", "60s"),
                                                        kind -> {
                                                            started.incrementAndGet();
                                                            await(release);
                                                        })) {
            byte[] image = png(TestImages.solid(16, 16, 1, 2, 3));
            CompletableFuture<Reply> running = vision.rawAsync("/v1/vision/process", "image/png", image);
            Poll.until("the first job holds the only worker", () -> started.get() == 1);
            CompletableFuture<Reply> queued = vision.rawAsync("/v1/vision/process", "image/png", image);
            Poll.until("the second job waits in the queue", () -> vision.get("/health").text().contains("1 busy, 1 queued"));

            Reply refused = vision.raw("/v1/vision/process", "image/png", image);
            assertEquals(429, refused.status(), refused.text());
            assertEquals("3", refused.header("Retry-After"));
            assertEquals("busy", refused.json().get("code").asText());
            assertEquals("All image workers are busy and the queue is full; retry after 3 s",
                         refused.json().get("detail").asText());

            release.countDown();
            assertEquals(200, running.get(30, TimeUnit.SECONDS).status());
            assertEquals(200, queued.get(30, TimeUnit.SECONDS).status());
        }
    }

    @Test
    void jobPastTheTimeLimitIs422AndOneThatNeverStartedIs503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (VisionHarness vision = VisionHarness.start(Map.of("VISION_WORKERS", "1", "VISION_QUEUE", "2",
                                                               "VISION_TIMEOUT", "1s"),
                                                        kind -> {
                                                            if (started.incrementAndGet() == 1) {
                                                                awaitIgnoringInterrupts(release);
                                                            }
                                                        })) {
            byte[] image = png(TestImages.solid(16, 16, 1, 2, 3));
            CompletableFuture<Reply> held = vision.rawAsync("/v1/vision/process", "image/png", image);
            Poll.until("the first job holds the worker", () -> started.get() == 1);
            Reply waiting = vision.raw("/v1/vision/process", "image/png", image);
            assertEquals(503, waiting.status(), waiting.text());
            assertEquals("overloaded", waiting.json().get("code").asText());
            assertEquals("1", waiting.header("Retry-After"));

            Reply timedOut = held.get(30, TimeUnit.SECONDS);
            assertEquals(422, timedOut.status(), timedOut.text());
            assertEquals("processing_timeout", timedOut.json().get("code").asText());
            assertEquals("The image took longer than 1000 ms to decode and process", timedOut.json().get("detail").asText());
            release.countDown();
            Poll.until("the worker is free again", () -> vision.raw("/v1/vision/process", "image/png", image).status() == 200);
        }
    }

    // Like a native decode: cancelling the job does not stop it.
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            try {
                latch.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test latch never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
