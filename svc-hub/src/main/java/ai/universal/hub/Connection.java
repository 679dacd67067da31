package ai.universal.hub;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import ai.universal.kit.auth.Principal;

/**
 * One client connection: who it is (once authenticated), its subscriptions, its send queue, its publish budget and
 * the timestamps the sweeper checks (connect deadline, token expiry, last frame, pending close).
 */
final class Connection {
    private final long id;
    private final Outbox outbox;
    private final Transport transport;
    private final long openedAtMillis;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicBoolean detached = new AtomicBoolean();
    private final StringBuilder partial = new StringBuilder();
    private volatile Principal principal;
    private volatile Instant expiresAt;
    private volatile boolean expiryWarned;
    private volatile long lastSeenMillis;
    private volatile long lastPingMillis;
    private volatile long closeRequestedMillis;
    private volatile boolean counted;
    private TokenBucket publishBudget;

    Connection(long id, Transport transport, Outbox.Factory outboxes, long nowMillis) {
        this.id = id;
        this.transport = transport;
        this.outbox = outboxes.create(transport, this);
        this.openedAtMillis = nowMillis;
        this.lastSeenMillis = nowMillis;
        this.lastPingMillis = nowMillis;
    }

    long id() {
        return id;
    }

    Outbox outbox() {
        return outbox;
    }

    Transport transport() {
        return transport;
    }

    long openedAtMillis() {
        return openedAtMillis;
    }

    Map<String, Subscription> subscriptions() {
        return subscriptions;
    }

    Principal principal() {
        return principal;
    }

    String user() {
        Principal p = principal;
        return p == null ? null : p.subject();
    }

    void authenticated(Principal principal, TokenBucket budget) {
        this.principal = principal;
        this.expiresAt = principal.expiresAt();
        this.expiryWarned = false;
        if (budget != null) {
            this.publishBudget = budget;
        }
    }

    TokenBucket publishBudget() {
        return publishBudget;
    }

    Instant expiresAt() {
        return expiresAt;
    }

    boolean expiryWarned() {
        return expiryWarned;
    }

    void expiryWarned(boolean warned) {
        this.expiryWarned = warned;
    }

    long lastSeenMillis() {
        return lastSeenMillis;
    }

    void seen(long nowMillis) {
        this.lastSeenMillis = nowMillis;
    }

    long lastPingMillis() {
        return lastPingMillis;
    }

    void pinged(long nowMillis) {
        this.lastPingMillis = nowMillis;
    }

    long closeRequestedMillis() {
        return closeRequestedMillis;
    }

    void closeRequested(long nowMillis) {
        if (closeRequestedMillis == 0) {
            closeRequestedMillis = nowMillis;
        }
    }

    boolean counted() {
        return counted;
    }

    void counted(boolean counted) {
        this.counted = counted;
    }

    /**
     * Marks the connection as gone from the hub; true only for the first caller.
     *
     * @return whether this call detached it
     */
    boolean detach() {
        return detached.compareAndSet(false, true);
    }

    boolean detached() {
        return detached.get();
    }

    /**
     * Fragments of a message split over several WebSocket frames (reader thread only).
     *
     * @return buffer
     */
    StringBuilder partial() {
        return partial;
    }
}
