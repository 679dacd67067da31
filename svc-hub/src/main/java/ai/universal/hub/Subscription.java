package ai.universal.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection's subscription to a channel. It starts "pending": while the subscribe is answered (and missed
 * publications replayed) live publications are held back, then released in order, skipping what the answer already
 * covered. Once live, a publication is sent when its offset is above the subscription's floor (the position its
 * {@code ok} reported) or carries another epoch.
 */
final class Subscription {
    private final Connection connection;
    private final String channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Delivery> pending = new ArrayList<>();
    private volatile boolean live;
    private volatile String epoch;
    private volatile long floor = -1;

    /**
     * A publication on its way to subscribers.
     *
     * @param epoch  epoch, null when it has no offset
     * @param offset offset, 0 when none
     * @param frame  frame text
     */
    record Delivery(String epoch, long offset, String frame) {
    }

    Subscription(Connection connection, String channel) {
        this.connection = connection;
        this.channel = channel;
    }

    Connection connection() {
        return connection;
    }

    String channel() {
        return channel;
    }

    /**
     * Hand a publication to this subscriber.
     *
     * @param delivery publication
     * @return false when the connection's send queue overflowed
     */
    boolean deliver(Delivery delivery) {
        if (live) {
            return send(delivery);
        }
        lock.lock();
        try {
            if (!live) {
                pending.add(delivery);
                return true;
            }
        } finally {
            lock.unlock();
        }
        return send(delivery);
    }

    /**
     * Answer the subscribe and go live: the answer, then the replayed frames, then what arrived meanwhile and lies
     * beyond the position the answer reported.
     *
     * @param answer   the ok frame
     * @param replay   recovered frames, in offset order
     * @param epoch    the channel's epoch (null without history)
     * @param position offset the answer reports as the client's position
     * @return false when the connection's send queue overflowed
     */
    boolean goLive(String answer, List<String> replay, String epoch, long position) {
        lock.lock();
        try {
            this.epoch = epoch;
            this.floor = position;
            boolean ok = connection.outbox().offer(answer);
            for (String frame : replay) {
                ok &= connection.outbox().offer(frame);
            }
            for (Delivery d : pending) {
                ok &= send(d);
            }
            pending.clear();
            live = true;
            return ok;
        } finally {
            lock.unlock();
        }
    }

    private boolean send(Delivery d) {
        if (d.epoch() != null) {
            String current = epoch;
            if (d.epoch().equals(current)) {
                if (d.offset() <= floor) {
                    return true;
                }
            } else {
                epoch = d.epoch();
            }
            floor = d.offset();
        }
        return connection.outbox().offer(d.frame());
    }
}
