package ai.universal.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * This node's subscribers by channel, and delivery to them. Deliveries to one channel are serialized (one lock per
 * channel), so every subscriber on this node sees a channel's publications in the same order. A subscriber whose send
 * queue overflows is handed to {@code onSlow} after the delivery loop.
 */
final class LocalChannels {
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final Consumer<Connection> onSlow;

    private static final class Group {
        private final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();
        private final Map<String, Integer> users = new HashMap<>();
        private final ReentrantLock lock = new ReentrantLock();
        private String lastEpoch;
        private long lastOffset;
    }

    /**
     * Last offset delivered on a channel, for catching up after a Redis outage.
     *
     * @param channel channel
     * @param epoch   epoch
     * @param offset  offset
     */
    record Position(String channel, String epoch, long offset) {
    }

    LocalChannels(Consumer<Connection> onSlow) {
        this.onSlow = onSlow;
    }

    /**
     * Add a subscriber.
     *
     * @param subscription subscription
     * @return the user's number of connections subscribed to the channel on this node, after adding
     */
    int add(Subscription subscription) {
        while (true) {
            Group group = groups.computeIfAbsent(subscription.channel(), k -> new Group());
            group.lock.lock();
            try {
                if (groups.get(subscription.channel()) != group) {
                    continue;
                }
                group.subscribers.add(subscription);
                return group.users.merge(subscription.connection().user(), 1, Integer::sum);
            } finally {
                group.lock.unlock();
            }
        }
    }

    /**
     * Remove a subscriber.
     *
     * @param subscription subscription
     * @return the user's remaining connections on the channel on this node, or -1 when it was not subscribed
     */
    int remove(Subscription subscription) {
        Group group = groups.get(subscription.channel());
        if (group == null) {
            return -1;
        }
        group.lock.lock();
        try {
            if (!group.subscribers.remove(subscription)) {
                return -1;
            }
            String user = subscription.connection().user();
            int left = group.users.merge(user, -1, Integer::sum);
            if (left <= 0) {
                group.users.remove(user);
            }
            if (group.subscribers.isEmpty()) {
                groups.remove(subscription.channel(), group);
            }
            return Math.max(left, 0);
        } finally {
            group.lock.unlock();
        }
    }

    /**
     * Deliver a publication to every subscriber of its channel on this node.
     *
     * @param channel  channel
     * @param delivery publication
     */
    void deliver(String channel, Subscription.Delivery delivery) {
        Group group = groups.get(channel);
        if (group == null) {
            return;
        }
        List<Connection> slow = null;
        group.lock.lock();
        try {
            if (delivery.epoch() != null) {
                if (delivery.epoch().equals(group.lastEpoch)) {
                    group.lastOffset = Math.max(group.lastOffset, delivery.offset());
                } else {
                    group.lastEpoch = delivery.epoch();
                    group.lastOffset = delivery.offset();
                }
            }
            for (Subscription s : group.subscribers) {
                if (!s.deliver(delivery)) {
                    if (slow == null) {
                        slow = new ArrayList<>();
                    }
                    slow.add(s.connection());
                }
            }
        } finally {
            group.lock.unlock();
        }
        if (slow != null) {
            slow.forEach(onSlow);
        }
    }

    /**
     * Users subscribed on this node with their connection counts.
     *
     * @param channel channel
     * @return user → connections
     */
    Map<String, Integer> users(String channel) {
        Group group = groups.get(channel);
        if (group == null) {
            return Map.of();
        }
        group.lock.lock();
        try {
            return Map.copyOf(group.users);
        } finally {
            group.lock.unlock();
        }
    }

    /**
     * Channels with subscribers on this node.
     *
     * @return channel names
     */
    Set<String> channels() {
        return Set.copyOf(groups.keySet());
    }

    /**
     * The last delivered position of every channel with subscribers and an offset history.
     *
     * @return positions
     */
    List<Position> positions() {
        List<Position> result = new ArrayList<>();
        for (Map.Entry<String, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            g.lock.lock();
            try {
                if (g.lastEpoch != null) {
                    result.add(new Position(e.getKey(), g.lastEpoch, g.lastOffset));
                }
            } finally {
                g.lock.unlock();
            }
        }
        return result;
    }

    /**
     * Remember a position reported to a new subscriber (so catching up starts from there when nothing was delivered).
     *
     * @param channel channel
     * @param epoch   epoch
     * @param offset  offset
     */
    void position(String channel, String epoch, long offset) {
        Group group = groups.get(channel);
        if (group == null || epoch == null) {
            return;
        }
        group.lock.lock();
        try {
            if (!epoch.equals(group.lastEpoch)) {
                group.lastEpoch = epoch;
                group.lastOffset = offset;
            } else {
                group.lastOffset = Math.max(group.lastOffset, offset);
            }
        } finally {
            group.lock.unlock();
        }
    }
}
