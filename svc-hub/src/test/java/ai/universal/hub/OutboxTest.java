package ai.universal.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection's send queue and its drainer, without a server: frames go out in order, a frame queued after the
 * drainer went idle still goes out (no lost wake-up when producers race it), a full queue refuses, and nothing is
 * written after the close frame.
 */
class OutboxTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Records what the sender wrote and on which thread. */
    private static class RecordingTransport implements Transport {
        private final LinkedBlockingQueue<String> sent = new LinkedBlockingQueue<>();
        private final AtomicInteger count = new AtomicInteger();
        private volatile Thread last;

        @Override
        public void send(String text) {
            record("text:" + text);
        }

        @Override
        public void ping() {
            record("ping");
        }

        @Override
        public void pong(byte[] payload) {
            record("pong");
        }

        @Override
        public void close(int code, String reason) {
            record("close:" + code);
        }

        @Override
        public void abort() {
        }

        private void record(String what) {
            last = Thread.currentThread();
            count.incrementAndGet();
            sent.add(what);
        }

        String next() throws InterruptedException {
            String s = sent.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(s, "nothing sent within " + WAIT);
            return s;
        }
    }

    private static Outbox outbox(Transport transport, int capacity) {
        return new Outbox(transport, task -> Thread.ofVirtual().name("test-send").start(task), capacity, () -> { });
    }

    private static void awaitIdle(Thread thread) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TERMINATED) {
            assertTrue(System.nanoTime() < deadline, "sender did not go idle");
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Test
    void framesGoOutInOrderAndAFrameQueuedWhileIdleStillGoesOut() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Outbox outbox = outbox(transport, 16);
        assertTrue(outbox.offer("a"));
        outbox.ping();
        assertTrue(outbox.offer("b"));
        assertEquals("text:a", transport.next());
        assertEquals("ping", transport.next());
        assertEquals("text:b", transport.next());
        awaitIdle(transport.last);

        assertTrue(outbox.offer("c"));
        outbox.pong(new byte[0]);
        assertEquals("text:c", transport.next());
        assertEquals("pong", transport.next());
        assertEquals(0, outbox.size());
    }

    @Test
    void nothingIsWrittenAfterTheCloseFrame() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Outbox outbox = outbox(transport, 16);
        assertTrue(outbox.offer("a"));
        assertTrue(outbox.close(4000, "bye", false));
        assertEquals("text:a", transport.next());
        assertEquals("close:4000", transport.next());
        assertTrue(outbox.closeSent());
        assertTrue(outbox.offer("late"), "a frame for a closing connection is dropped, not refused");
        assertFalse(outbox.close(1000, "again", false));
        assertEquals(2, transport.count.get());
    }

    @Test
    void fullQueueRefusesUntilTheDrainerCatchesUp() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch first = new CountDownLatch(1);
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        Transport stuck = new RecordingTransport() {
            @Override
            public void send(String text) {
                first.countDown();
                try {
                    assertTrue(unblock.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                written.add(text);
            }
        };
        Outbox outbox = outbox(stuck, 2);
        assertTrue(outbox.offer("0"));
        assertTrue(first.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(outbox.offer("1"));
        assertTrue(outbox.offer("2"));
        assertFalse(outbox.offer("3"), "a third waiting frame overflows a queue of 2");
        unblock.countDown();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (written.size() < 3) {
            assertTrue(System.nanoTime() < deadline, "queued frames were not sent");
            Thread.onSpinWait();
        }
        assertEquals(List.of("0", "1", "2"), written);
    }

    @Test
    void noFrameIsStrandedWhenProducersRaceTheSenderGoingIdle() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Outbox outbox = outbox(transport, Integer.MAX_VALUE);
        int producers = 2;
        int each = 20_000;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    outbox.offer(id + ":" + i);
                    if (i % 64 == 0) {
                        Thread.yield();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(WAIT);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (transport.count.get() < producers * each) {
            assertTrue(System.nanoTime() < deadline, "stranded frames: sent " + transport.count.get() + " of "
                    + producers * each);
            Thread.onSpinWait();
            Thread.yield();
        }
        int[] next = new int[producers];
        for (String s : transport.sent) {
            String[] parts = s.substring("text:".length()).split(":");
            int producer = Integer.parseInt(parts[0]);
            assertEquals(next[producer]++, Integer.parseInt(parts[1]), "one producer's frames stay in order");
        }
    }
}
