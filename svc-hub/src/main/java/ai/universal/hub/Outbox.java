package ai.universal.hub;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A connection's bounded send queue. Producers (the fan-out dispatcher, request handlers) never block: a frame is
 * queued, or refused when {@code capacity} frames are already waiting — the sign of a consumer too slow to keep up.
 * The connection's sender, one virtual thread started with the first frame, writes the queue to the socket in order
 * and parks while it is empty, so a slow socket stalls only its own connection. It lives until the close frame is
 * written, a write fails, or {@link #release()} (the socket is gone). One long-lived sender instead of a fresh virtual
 * thread per drain: a broadcast to 10,000 subscribers started 10,000 threads, half of what the fan-out path allocated
 * (thread, continuation, container bookkeeping), which a parked thread's unpark does not.
 */
final class Outbox {
    private sealed interface Item {
    }

    private record Text(String text) implements Item {
    }

    private record Ping() implements Item {
    }

    private record Pong(byte[] payload) implements Item {
    }

    private record Close(int code, String reason) implements Item {
    }

    private final Transport transport;
    private final ThreadFactory senders;
    private final int capacity;
    private final Runnable onFailure;
    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    // true from the moment a producer hands the sender work until the sender finds the queue empty again
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile Thread sender;
    private volatile boolean closeSent;
    private volatile boolean released;

    /**
     * Makes a connection's outbox.
     */
    interface Factory {
        /**
         * Create.
         *
         * @param transport  the socket
         * @param connection its connection
         * @return outbox
         */
        Outbox create(Transport transport, Connection connection);
    }

    Outbox(Transport transport, ThreadFactory senders, int capacity, Runnable onFailure) {
        this.transport = transport;
        this.senders = senders;
        this.capacity = capacity;
        this.onFailure = onFailure;
    }

    /**
     * Queue a text frame.
     *
     * @param text frame
     * @return false when the queue is full (the caller decides what a slow consumer gets); true when queued or when
     *         the connection is already closing (the frame is dropped)
     */
    boolean offer(String text) {
        if (closing.get()) {
            return true;
        }
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            return false;
        }
        queue.add(new Text(text));
        schedule();
        return true;
    }

    void ping() {
        if (!closing.get()) {
            queue.add(new Ping());
            schedule();
        }
    }

    void pong(byte[] payload) {
        if (!closing.get()) {
            queue.add(new Pong(payload));
            schedule();
        }
    }

    /**
     * Close after what is queued, or instead of it.
     *
     * @param code           close code
     * @param reason         reason
     * @param discardPending drop queued frames first (a slow consumer must not be fed the backlog)
     * @return false when a close was already queued
     */
    boolean close(int code, String reason, boolean discardPending) {
        if (!closing.compareAndSet(false, true)) {
            return false;
        }
        if (discardPending) {
            queue.clear();
            queued.set(0);
        }
        queue.add(new Close(code, reason));
        schedule();
        return true;
    }

    /**
     * The socket is gone: drop what is queued and let the sender thread end.
     */
    void release() {
        released = true;
        closing.set(true);
        queue.clear();
        Thread t = sender;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean closing() {
        return closing.get();
    }

    boolean closeSent() {
        return closeSent;
    }

    int size() {
        return queued.get();
    }

    private void schedule() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        // Only the producer that flipped draining gets here, so at most one sender is ever started; a later one sees
        // it (the sender clears draining only after this field was written and the thread started).
        Thread t = sender;
        if (t == null) {
            t = senders.newThread(this::run);
            if (t == null) {
                return;
            }
            sender = t;
            t.start();
        } else {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        while (!released) {
            Item item;
            while ((item = queue.poll()) != null) {
                if (released) {
                    return;
                }
                try {
                    switch (item) {
                    case Text t -> {
                        queued.decrementAndGet();
                        transport.send(t.text());
                    }
                    case Ping p -> transport.ping();
                    case Pong p -> transport.pong(p.payload());
                    case Close c -> {
                        closeSent = true;
                        queue.clear();
                        transport.close(c.code(), c.reason());
                        return;
                    }
                    }
                } catch (RuntimeException e) {
                    closing.set(true);
                    closeSent = true;
                    queue.clear();
                    onFailure.run();
                    return;
                }
            }
            draining.set(false);
            if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
                continue;
            }
            // A producer that queues now flips draining and unparks this thread (a permit it keeps if it is not
            // parked yet), so no wake-up is lost.
            while (!draining.get() && !released) {
                LockSupport.park(this);
                // nothing interrupts a sender on purpose; a stray interrupt must not turn parking into spinning
                Thread.interrupted();
            }
        }
    }
}
