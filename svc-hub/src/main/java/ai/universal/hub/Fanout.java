package ai.universal.hub;

import java.time.Duration;
import java.util.function.Consumer;

import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * This node's ear on Redis: one pub/sub connection subscribed to the fan-out channel (publications of every node, in
 * the order Redis gave them offsets) and to the platform events channel. One thread reads it, so a channel's
 * publications reach this node's subscribers in order. When Redis goes away the thread reconnects with backoff;
 * {@link #connected()} is false meanwhile (the node reports not-ready and delivers locally), and {@code onReconnect}
 * runs once the subscription is back, before any new publication is read (catch-up, presence resync).
 */
final class Fanout implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(Fanout.class.getName());

    private final UnifiedJedis jedis;
    private final String fanoutChannel;
    private final String eventsChannel;
    private final Consumer<String> onPublication;
    private final Consumer<String> onEvent;
    private final Runnable onReconnect;
    private final Thread thread;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile JedisPubSub current;

    Fanout(UnifiedJedis jedis, String fanoutChannel, String eventsChannel, Consumer<String> onPublication,
           Consumer<String> onEvent, Runnable onReconnect) {
        this.jedis = jedis;
        this.fanoutChannel = fanoutChannel;
        this.eventsChannel = eventsChannel;
        this.onPublication = onPublication;
        this.onEvent = onEvent;
        this.onReconnect = onReconnect;
        this.thread = Thread.ofPlatform().daemon().name("hub-fanout").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * Whether publications of other nodes reach this one now.
     *
     * @return true when subscribed
     */
    boolean connected() {
        return connected;
    }

    private void run() {
        long backoff = 50;
        boolean wasConnected = false;
        while (!closed) {
            JedisPubSub pubSub = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int subscribedChannels) {
                    if (subscribedChannels == 2) {
                        try {
                            onReconnect.run();
                        } catch (RuntimeException e) {
                            LOGGER.log(System.Logger.Level.WARNING, "Catch-up after reconnect failed: " + e);
                        }
                        connected = true;
                        LOGGER.log(System.Logger.Level.INFO, "Hub fan-out subscribed");
                    }
                }

                @Override
                public void onMessage(String channel, String message) {
                    try {
                        if (channel.equals(fanoutChannel)) {
                            onPublication.accept(message);
                        } else {
                            onEvent.accept(message);
                        }
                    } catch (RuntimeException e) {
                        LOGGER.log(System.Logger.Level.WARNING, "Fan-out message dropped: " + e);
                    }
                }
            };
            current = pubSub;
            try {
                jedis.subscribe(pubSub, fanoutChannel, eventsChannel);
                wasConnected = connected;
            } catch (RuntimeException e) {
                wasConnected = connected;
                if (!closed && (wasConnected || backoff == 50)) {
                    LOGGER.log(System.Logger.Level.WARNING, "Hub fan-out lost Redis (" + e.getClass().getSimpleName()
                            + "); serving local subscribers, reconnecting");
                }
            }
            connected = false;
            if (closed) {
                return;
            }
            backoff = wasConnected ? 50 : Math.min(backoff * 2, 1000);
            pause(Duration.ofMillis(backoff));
        }
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        JedisPubSub pubSub = current;
        if (pubSub != null && connected) {
            try {
                pubSub.unsubscribe();
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.DEBUG, "Unsubscribe failed: " + e);
            }
        }
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
