package ai.universal.hub;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection's bounded send queue. Producers (the fan-out dispatcher, request handlers) never block: a frame is
 * queued, or refused when {@code capacity} frames are already waiting — the sign of a consumer too slow to keep up.
 * One drain task at a time (a virtual thread, started only when there is something to send) writes the queue to the
 * socket in order, so a slow socket stalls only its own connection.
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
    private final Executor executor;
    private final int capacity;
    private final Runnable onFailure;
    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closeSent;

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

    Outbox(Transport transport, Executor executor, int capacity, Runnable onFailure) {
        this.transport = transport;
        this.executor = executor;
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
        if (draining.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            Item item;
            while ((item = queue.poll()) != null) {
                if (closeSent) {
                    queue.clear();
                    break;
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
                        transport.close(c.code(), c.reason());
                    }
                    }
                } catch (RuntimeException e) {
                    closing.set(true);
                    closeSent = true;
                    queue.clear();
                    draining.set(false);
                    onFailure.run();
                    return;
                }
            }
            draining.set(false);
            if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
