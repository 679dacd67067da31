package ai.universal.hub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import ai.universal.kit.auth.Authenticator;
import ai.universal.kit.auth.CredentialsUnavailableException;
import ai.universal.kit.auth.InvalidCredentialsException;
import ai.universal.kit.auth.Principal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import redis.clients.jedis.UnifiedJedis;

/**
 * The hub: connections and their frames, channels, publication, presence, history and recovery, platform events,
 * timeouts and shutdown. It knows nothing of HTTP or of the WebSocket library: a socket is a {@link Transport}.
 * <p>
 * Publication path: a publish (client frame, HTTP, platform event) runs one Redis script that gives the next offset in
 * the channel's epoch, stores it in the channel's stream and publishes the frame on the fan-out channel; every node
 * (this one included) receives it there, in Redis' order, and hands it to its local subscribers. While Redis is away a
 * node delivers to its own subscribers directly (no offset) and reports not-ready.
 */
public final class Hub implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(Hub.class.getName());
    private static final String CONNS = "conns";
    private static final long EVENT_DEDUP_MILLIS = 30_000;

    private final HubSettings settings;
    private final ChannelPolicy policy;
    private final Clock clock;
    private final Authenticator authenticator;
    private final HubRedis redis;
    private final Fanout fanout;
    private final LocalChannels local;
    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Integer> userConnections = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    // Each outbox drain runs on a fresh, untracked virtual thread. Executors.newVirtualThreadPerTaskExecutor() keeps
    // every thread it starts in one ConcurrentHashMap; a broadcast to 10,000 subscribers added and removed 10,000
    // entries there from the fan-out thread and both carriers at once, and that contention dominated the send path.
    private final ThreadFactory senderThreads = Thread.ofVirtual().name("hub-send").factory();
    private final Executor senders = task -> {
        if (!this.closed) {
            senderThreads.newThread(task).start();
        }
    };
    private final ExecutorService events = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("hub-events").factory());
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("hub-timers").factory());
    private final Outbox.Factory outboxes;
    private volatile boolean draining;
    private volatile boolean closed;

    /**
     * How a connection's credentials turned out.
     */
    public sealed interface Auth {
        /**
         * Verified.
         *
         * @param principal who
         */
        record Ok(Principal principal) implements Auth {
        }

        /**
         * Refused: the connection is closed with this code.
         *
         * @param code   close code
         * @param reason reason
         */
        record Rejected(int code, String reason) implements Auth {
        }

        /**
         * None sent: the client has {@code connect-timeout} to send a {@code connect} frame.
         */
        record None() implements Auth {
        }
    }

    /**
     * The outcome of one publication.
     *
     * @param channel   channel
     * @param epoch     epoch (null without history or when delivered locally)
     * @param offset    offset (0 when none)
     * @param local     delivered to this node's subscribers only (Redis unreachable)
     * @param duplicate an event already published by another node
     */
    public record Published(String channel, String epoch, long offset, boolean local, boolean duplicate) {
    }

    /**
     * Create.
     *
     * @param settings      settings
     * @param clock         clock
     * @param authenticator credential verification
     * @param jedis         Redis
     * @param keyPrefix     Redis key prefix
     */
    public Hub(HubSettings settings, Clock clock, Authenticator authenticator, UnifiedJedis jedis, String keyPrefix) {
        this.settings = settings;
        this.policy = settings.policy();
        this.clock = clock;
        this.authenticator = authenticator;
        this.redis = new HubRedis(jedis, keyPrefix, settings.nodeId());
        this.local = new LocalChannels(this::slowConsumer);
        this.outboxes = (transport, connection) -> new Outbox(transport, senders, settings.sendQueueSize(),
                                                              () -> abort(connection));
        this.fanout = new Fanout(jedis, redis.fanoutChannel(), settings.eventsChannel(), this::onPublication,
                                 raw -> events.execute(() -> onEvent(raw)), this::onRedisBack);
    }

    /**
     * Start the fan-out reader, the sweeper and the heartbeat.
     */
    public void start() {
        fanout.start();
        long sweep = Math.max(10, settings.sweepInterval().toMillis());
        timers.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        long beat = Math.max(100, settings.nodeTtl().toMillis() / 3);
        timers.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether publications of other nodes reach this one (readiness).
     *
     * @return true when the fan-out subscription to Redis is up
     */
    public boolean fanoutConnected() {
        return fanout.connected();
    }

    /**
     * The channel rules.
     *
     * @return policy
     */
    public ChannelPolicy policy() {
        return policy;
    }

    /**
     * Open connections on this node.
     *
     * @return count
     */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Verify what a client sent when it connected ({@code Authorization} header value, or {@code Bearer <token>} made
     * from a subprotocol), or null when it sent nothing.
     *
     * @param authorization header value or null
     * @return outcome
     */
    public Auth authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return new Auth.None();
        }
        try {
            return authenticator.authenticate(authorization, null)
                    .<Auth>map(Auth.Ok::new)
                    .orElseGet(Auth.None::new);
        } catch (InvalidCredentialsException e) {
            return new Auth.Rejected(CloseCodes.UNAUTHORIZED, "invalid token: " + e.getMessage());
        } catch (CredentialsUnavailableException e) {
            return new Auth.Rejected(CloseCodes.TRY_AGAIN_LATER, "credentials cannot be verified now; try again");
        }
    }

    /**
     * A socket was opened.
     *
     * @param transport the socket
     * @param auth      its credentials
     * @return the connection
     */
    public Connection open(Transport transport, Auth auth) {
        long now = clock.millis();
        Connection conn = new Connection(ids.incrementAndGet(), transport, outboxes, now);
        // Spread the ping schedule: the first ping comes at a random point within one ping interval, so connections
        // opened together (a reconnect storm after a node left) are not all pinged — and do not all answer — in the
        // same sweep, interval after interval, on top of whatever broadcast is under way.
        long interval = Math.max(1, settings.pingInterval().toMillis());
        conn.pinged(now - ThreadLocalRandom.current().nextLong(interval));
        connections.put(conn.id(), conn);
        if (draining) {
            close(conn, CloseCodes.SERVICE_RESTART, "server shutting down; reconnect", false);
            return conn;
        }
        switch (auth) {
        case Auth.Ok ok -> admit(conn, ok.principal(), null);
        case Auth.Rejected r -> close(conn, r.code(), r.reason(), false);
        case Auth.None none -> {
        }
        }
        return conn;
    }

    /**
     * A text frame (or a fragment of one) arrived.
     *
     * @param conn connection
     * @param text text
     * @param last whether it completes the message
     */
    public void onText(Connection conn, String text, boolean last) {
        conn.seen(clock.millis());
        if (conn.detached()) {
            return;
        }
        StringBuilder partial = conn.partial();
        if (!last || !partial.isEmpty()) {
            if (partial.length() <= settings.maxFrameBytes()) {
                partial.append(text);
            }
            if (!last) {
                return;
            }
            text = partial.length() > settings.maxFrameBytes() ? null : partial.toString();
            partial.setLength(0);
            partial.trimToSize();
        }
        if (text == null || tooLarge(text)) {
            reply(conn, Frames.error(null, new HubException("frame_too_large", "frames are limited to "
                    + settings.maxFrameBytes() + " bytes")));
            return;
        }
        ClientFrame frame;
        try {
            frame = Frames.parse(text);
        } catch (Frames.FrameException e) {
            reply(conn, Frames.error(e.id(), e.error()));
            return;
        }
        try {
            handle(conn, frame);
        } catch (HubException e) {
            reply(conn, Frames.error(frame.id(), e));
        }
    }

    /**
     * A binary frame arrived (not part of the protocol).
     *
     * @param conn connection
     */
    public void onBinary(Connection conn) {
        conn.seen(clock.millis());
        reply(conn, Frames.error(null, new HubException("binary_not_supported", "send JSON text frames")));
    }

    /**
     * A WebSocket ping arrived.
     *
     * @param conn    connection
     * @param payload its payload
     */
    public void onPing(Connection conn, byte[] payload) {
        conn.seen(clock.millis());
        conn.outbox().pong(payload);
    }

    /**
     * A WebSocket pong arrived.
     *
     * @param conn connection
     */
    public void onPong(Connection conn) {
        conn.seen(clock.millis());
    }

    /**
     * The socket is closed (or failed).
     *
     * @param conn connection
     */
    public void onClosed(Connection conn) {
        detach(conn);
        connections.remove(conn.id());
    }

    /**
     * Publish from the server side (HTTP API, platform events).
     *
     * @param channel   channel
     * @param data      payload JSON
     * @param publisher publisher id
     * @return outcome
     */
    public Published publish(Channel channel, String data, String publisher) {
        return publish(channel, data, publisher, null);
    }

    /**
     * Who is subscribed to a channel: across nodes, or this node's view while Redis is away.
     *
     * @param channel channel
     * @return {@code {"channel","users":[{"user","connections"}],"connections","local"?}}
     */
    public ObjectNode presence(Channel channel) {
        Map<String, Long> users = new TreeMap<>();
        boolean localOnly = true;
        if (fanout.connected()) {
            try {
                users.putAll(redis.presence("ch:" + channel.name()));
                localOnly = false;
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.DEBUG, "Presence from Redis failed: " + e);
            }
        }
        if (localOnly) {
            local.users(channel.name()).forEach((u, c) -> users.put(u, c.longValue()));
        }
        ObjectNode node = Frames.MAPPER.createObjectNode();
        node.put("channel", channel.name());
        ArrayNode list = node.putArray("users");
        long total = 0;
        for (Map.Entry<String, Long> e : users.entrySet()) {
            list.addObject().put("user", e.getKey()).put("connections", e.getValue());
            total += e.getValue();
        }
        node.put("connections", total);
        if (localOnly) {
            node.put("local", true);
        }
        return node;
    }

    /**
     * A channel's history: the newest {@code limit} publications, or those after {@code since}.
     *
     * @param channel channel
     * @param since   position or null
     * @param limit   most publications returned
     * @return {@code {"channel","epoch","offset","recovered"?,"messages":[{"offset","data","publisher","ts"}]}}
     * @throws HubException {@code history_disabled}, {@code unavailable}
     */
    public ObjectNode history(Channel channel, ClientFrame.Since since, int limit) {
        if (!policy.history(channel)) {
            throw new HubException("history_disabled", "'" + channel.namespace() + ":' channels keep no history");
        }
        if (!fanout.connected()) {
            throw new HubException("unavailable", "history is in Redis, which is unreachable now", 1000);
        }
        ObjectNode node = Frames.MAPPER.createObjectNode();
        node.put("channel", channel.name());
        List<HubRedis.Stored> entries;
        try {
            if (since == null) {
                HubRedis.Position pos = redis.latest(channel.name(), limit);
                node.put("epoch", pos.epoch());
                node.put("offset", pos.top());
                entries = pos.entries();
            } else {
                HubRedis.Position pos = redis.position(channel.name(), since.offset(), since.epoch(),
                                                       settings.historySize() + 1, settings.historyTtl().toMillis());
                node.put("epoch", pos.epoch());
                node.put("offset", pos.top());
                boolean recovered = recoverable(since, pos);
                node.put("recovered", recovered);
                entries = recovered ? pos.entries().subList(0, Math.min(limit, pos.entries().size())) : List.of();
            }
        } catch (RuntimeException e) {
            throw new HubException("unavailable", "Redis did not answer; try again", 1000);
        }
        ArrayNode messages = node.putArray("messages");
        for (HubRedis.Stored s : entries) {
            ObjectNode m = messages.addObject();
            m.put("offset", s.offset());
            m.set("data", readJson(s.data()));
            m.put("publisher", s.publisher());
            m.put("ts", Instant.ofEpochMilli(s.timestamp()).toString());
        }
        return node;
    }

    /**
     * Tell every client to reconnect elsewhere (close 1012), give them {@code shutdown-wait} to go, then cut the rest.
     */
    public void shutdown() {
        draining = true;
        int count = connections.size();
        for (Connection conn : connections.values()) {
            close(conn, CloseCodes.SERVICE_RESTART, "server restarting; reconnect and resubscribe with since", false);
        }
        long deadline = System.nanoTime() + settings.shutdownWait().toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        connections.values().forEach(this::abort);
        LOGGER.log(System.Logger.Level.INFO, "Hub node " + settings.nodeId() + " told " + count
                + " connections to reconnect");
    }

    @Override
    public void close() {
        draining = true;
        timers.shutdownNow();
        fanout.close();
        try {
            announce(redis.leaveCluster());
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "Leaving the cluster failed: " + e);
        }
        events.shutdownNow();
        closed = true;
    }

    private void handle(Connection conn, ClientFrame frame) {
        if (frame instanceof ClientFrame.Ping ping) {
            reply(conn, Frames.simple("pong", ping.id()));
            return;
        }
        Principal who = conn.principal();
        if (who == null) {
            if (frame instanceof ClientFrame.Connect connect) {
                connect(conn, connect);
                return;
            }
            throw new HubException("not_authenticated", "send {\"type\":\"connect\",\"token\":\"…\"} first");
        }
        switch (frame) {
        case ClientFrame.Connect c -> throw new HubException("already_authenticated", "this connection is authenticated");
        case ClientFrame.Subscribe s -> subscribe(conn, who, s);
        case ClientFrame.Unsubscribe u -> unsubscribe(conn, u);
        case ClientFrame.Publish p -> clientPublish(conn, who, p);
        case ClientFrame.Presence p -> {
            policy.checkRead(who, p.channel());
            ObjectNode answer = Frames.ok(p.id());
            answer.setAll(presence(p.channel()));
            reply(conn, answer.toString());
        }
        case ClientFrame.Refresh r -> refresh(conn, who, r);
        case ClientFrame.Ping p -> reply(conn, Frames.simple("pong", p.id()));
        }
    }

    private void connect(Connection conn, ClientFrame.Connect connect) {
        Auth auth = authenticate("Bearer " + connect.token());
        switch (auth) {
        case Auth.Ok ok -> admit(conn, ok.principal(), connect.id());
        case Auth.Rejected r -> {
            reply(conn, Frames.error(connect.id(), new HubException("invalid_token", r.reason())));
            close(conn, r.code(), r.reason(), false);
        }
        case Auth.None none -> throw new HubException("bad_frame", "'token' is empty");
        }
    }

    private void admit(Connection conn, Principal who, JsonNode replyId) {
        String user = who.subject();
        int localCount = userConnections.merge(user, 1, Integer::sum);
        conn.authenticated(who, new TokenBucket(settings.publishRate(), settings.publishBurst(), System.nanoTime()));
        conn.counted(true);
        long total = localCount;
        if (fanout.connected()) {
            try {
                total = redis.presenceAdd(CONNS, user, 1);
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.DEBUG, "Connection count in Redis failed: " + e);
            }
        }
        if (total > settings.maxConnectionsPerUser()) {
            close(conn, CloseCodes.TOO_MANY_CONNECTIONS, "too many connections for this user (limit "
                    + settings.maxConnectionsPerUser() + ")", false);
            return;
        }
        ObjectNode answer = replyId == null ? Frames.MAPPER.createObjectNode().put("type", "connected") : Frames.ok(replyId);
        answer.put("user", user);
        answer.put("node", settings.nodeId());
        if (who.expiresAt() != null) {
            answer.put("expires_at", who.expiresAt().toString());
        }
        reply(conn, answer.toString());
    }

    private void refresh(Connection conn, Principal who, ClientFrame.Refresh refresh) {
        Auth auth = authenticate("Bearer " + refresh.token());
        switch (auth) {
        case Auth.Ok ok -> {
            if (!ok.principal().subject().equals(who.subject())) {
                throw new HubException("subject_mismatch", "the new token belongs to another user");
            }
            conn.authenticated(ok.principal(), null);
            ObjectNode answer = Frames.ok(refresh.id());
            if (ok.principal().expiresAt() != null) {
                answer.put("expires_at", ok.principal().expiresAt().toString());
            }
            reply(conn, answer.toString());
        }
        case Auth.Rejected r -> throw new HubException("invalid_token", r.reason());
        case Auth.None none -> throw new HubException("bad_frame", "'token' is empty");
        }
    }

    private void subscribe(Connection conn, Principal who, ClientFrame.Subscribe frame) {
        Channel channel = frame.channel();
        policy.checkRead(who, channel);
        if (conn.subscriptions().containsKey(channel.name())) {
            throw new HubException("already_subscribed", "already subscribed to '" + channel.name() + "'");
        }
        if (conn.subscriptions().size() >= settings.maxChannelsPerConnection()) {
            throw new HubException("too_many_channels", "a connection may hold " + settings.maxChannelsPerConnection()
                    + " subscriptions");
        }
        Subscription sub = new Subscription(conn, channel.name());
        conn.subscriptions().put(channel.name(), sub);
        int localUsers = local.add(sub);

        ObjectNode answer = Frames.ok(frame.id());
        answer.put("channel", channel.name());
        ClientFrame.Since since = frame.since();
        List<String> replay = new ArrayList<>();
        String epoch = null;
        long position = 0;
        if (policy.history(channel) && fanout.connected()) {
            try {
                HubRedis.Position pos = redis.position(channel.name(), since == null ? -1 : since.offset(),
                                                       since == null ? null : since.epoch(), settings.historySize() + 1,
                                                       settings.historyTtl().toMillis());
                epoch = pos.epoch();
                position = pos.top();
                if (since != null) {
                    boolean recovered = recoverable(since, pos);
                    answer.put("recovered", recovered);
                    if (recovered) {
                        for (HubRedis.Stored s : pos.entries()) {
                            replay.add(Frames.message(channel.name(), s.offset(), epoch, s.data(), s.publisher()));
                        }
                        answer.put("replayed", replay.size());
                    }
                }
                answer.put("epoch", epoch);
                answer.put("offset", position);
                local.position(channel.name(), epoch, position);
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.DEBUG, "Position read failed: " + e);
                epoch = null;
                replay.clear();
                if (since != null) {
                    answer.put("recovered", false);
                }
            }
        } else if (since != null) {
            answer.put("recovered", false);
        }
        if (!sub.goLive(answer.toString(), replay, epoch, position)) {
            slowConsumer(conn);
            return;
        }
        presenceChange(channel, conn.user(), 1, localUsers == 1);
    }

    private void unsubscribe(Connection conn, ClientFrame.Unsubscribe frame) {
        Subscription sub = conn.subscriptions().remove(frame.channel().name());
        if (sub == null) {
            throw new HubException("not_subscribed", "not subscribed to '" + frame.channel().name() + "'");
        }
        int left = local.remove(sub);
        reply(conn, Frames.ok(frame.id()).put("channel", frame.channel().name()).toString());
        if (left >= 0) {
            presenceChange(frame.channel(), conn.user(), -1, left == 0);
        }
    }

    private void clientPublish(Connection conn, Principal who, ClientFrame.Publish frame) {
        policy.checkClientPublish(who, frame.channel());
        long wait = conn.publishBudget().take(System.nanoTime());
        if (wait > 0) {
            throw new HubException("rate_limited", "publish rate limit (" + settings.publishRate() + "/s, burst "
                    + settings.publishBurst() + ") exceeded", wait);
        }
        Published published = publish(frame.channel(), frame.data(), who.subject(), null);
        ObjectNode answer = Frames.ok(frame.id());
        answer.put("channel", published.channel());
        if (published.epoch() != null) {
            answer.put("offset", published.offset());
            answer.put("epoch", published.epoch());
        }
        if (published.local()) {
            answer.put("local", true);
        }
        reply(conn, answer.toString());
    }

    private Published publish(Channel channel, String data, String publisher, String dedupKey) {
        String name = channel.name();
        if (!fanout.connected()) {
            local.deliver(name, new Subscription.Delivery(null, 0, Frames.message(name, data, publisher)));
            return new Published(name, null, 0, true, false);
        }
        try {
            if (policy.history(channel)) {
                HubRedis.Published p = redis.publish(name, Frames.messageHead(name), Frames.messageTail(data, publisher),
                                                     data, publisher, settings.historySize(),
                                                     settings.historyTtl().toMillis(), dedupKey, EVENT_DEDUP_MILLIS,
                                                     clock.millis());
                return p == null ? new Published(name, null, 0, false, true)
                        : new Published(name, p.epoch(), p.offset(), false, false);
            }
            boolean sent = redis.publishPlain(name, Frames.message(name, data, publisher), dedupKey, EVENT_DEDUP_MILLIS);
            return new Published(name, null, 0, false, !sent);
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Publish to Redis failed: " + e);
            throw new HubException("unavailable", "Redis did not answer; try again", 1000);
        }
    }

    private boolean recoverable(ClientFrame.Since since, HubRedis.Position pos) {
        if (!since.epoch().equals(pos.epoch()) || since.offset() > pos.top()) {
            return false;
        }
        if (since.offset() == pos.top()) {
            return true;
        }
        if (pos.top() - since.offset() > settings.historySize() || pos.entries().isEmpty()) {
            return false;
        }
        HubRedis.Stored first = pos.entries().getFirst();
        return first.offset() == since.offset() + 1
                && first.timestamp() >= clock.millis() - settings.historyTtl().toMillis();
    }

    private void presenceChange(Channel channel, String user, int delta, boolean localEdge) {
        String group = "ch:" + channel.name();
        if (fanout.connected()) {
            try {
                long total = redis.presenceAdd(group, user, delta);
                if (policy.joinLeave(channel) && (delta > 0 ? total == 1 : total <= 0)) {
                    redis.fanout(channel.name(), Frames.presenceChange(delta > 0 ? "join" : "leave", channel.name(), user));
                }
                return;
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.DEBUG, "Presence update failed: " + e);
            }
        }
        if (localEdge && policy.joinLeave(channel)) {
            local.deliver(channel.name(), new Subscription.Delivery(
                    null, 0, Frames.presenceChange(delta > 0 ? "join" : "leave", channel.name(), user)));
        }
    }

    private void onPublication(String message) {
        int a = message.indexOf('\n');
        int b = message.indexOf('\n', a + 1);
        int c = message.indexOf('\n', b + 1);
        if (a < 0 || b < 0 || c < 0) {
            return;
        }
        String channel = message.substring(0, a);
        String epoch = a + 1 == b ? null : message.substring(a + 1, b);
        long offset = b + 1 == c ? 0 : Long.parseLong(message.substring(b + 1, c));
        local.deliver(channel, new Subscription.Delivery(epoch, offset, message.substring(c + 1)));
    }

    private void onEvent(String raw) {
        JsonNode event = readJson(raw);
        if (event == null || !event.isObject()) {
            LOGGER.log(System.Logger.Level.DEBUG, "Platform event ignored: not a JSON object");
            return;
        }
        String target = event.path("channel").asText(null);
        if (target == null) {
            String owner = firstText(event, "owner", "user_id", "user");
            if (owner == null) {
                LOGGER.log(System.Logger.Level.DEBUG, "Platform event ignored: no owner or channel");
                return;
            }
            target = Channel.USER + ":" + owner;
        }
        try {
            publish(Channel.parse(target), event.toString(), "platform", sha256(raw));
        } catch (HubException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "Platform event not delivered: " + e.getMessage());
        }
    }

    private void onRedisBack() {
        resyncPresence();
        for (LocalChannels.Position p : local.positions()) {
            HubRedis.Position pos = redis.position(p.channel(), p.offset(), p.epoch(), settings.historySize() + 1,
                                                   settings.historyTtl().toMillis());
            if (!pos.epoch().equals(p.epoch())) {
                continue;
            }
            for (HubRedis.Stored s : pos.entries()) {
                local.deliver(p.channel(), new Subscription.Delivery(
                        pos.epoch(), s.offset(), Frames.message(p.channel(), s.offset(), pos.epoch(), s.data(),
                                                                s.publisher())));
            }
        }
    }

    private void resyncPresence() {
        redis.heartbeat(clock.millis() + settings.nodeTtl().toMillis());
        List<HubRedis.Change> changes = new ArrayList<>();
        for (String channel : local.channels()) {
            changes.addAll(redis.presenceSync("ch:" + channel, local.users(channel)));
        }
        for (String group : redis.nodeGroups()) {
            if (group.startsWith("ch:") && !local.channels().contains(group.substring(3))) {
                changes.addAll(redis.presenceSync(group, Map.of()));
            }
        }
        redis.presenceSync(CONNS, new HashMap<>(userConnections));
        announce(changes);
    }

    private void announce(List<HubRedis.Change> changes) {
        for (HubRedis.Change change : changes) {
            if (!change.group().startsWith("ch:")) {
                continue;
            }
            String name = change.group().substring(3);
            try {
                if (policy.joinLeave(Channel.parse(name))) {
                    redis.fanout(name, Frames.presenceChange(change.joined() ? "join" : "leave", name, change.user()));
                }
            } catch (HubException e) {
                LOGGER.log(System.Logger.Level.DEBUG, "Presence change for " + name + " not announced");
            }
        }
    }

    private void heartbeat() {
        if (!fanout.connected()) {
            return;
        }
        try {
            if (!redis.heartbeat(clock.millis() + settings.nodeTtl().toMillis())) {
                resyncPresence();
            }
            announce(redis.reapDeadNodes(clock.millis()));
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "Heartbeat failed: " + e);
        }
    }

    private void sweep() {
        try {
            long now = clock.millis();
            for (Connection conn : connections.values()) {
                sweep(conn, now);
            }
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Sweep failed: " + e);
        }
    }

    private void sweep(Connection conn, long now) {
        if (!conn.transport().open()) {
            onClosed(conn);
            return;
        }
        if (conn.closeRequestedMillis() != 0) {
            if (now - conn.closeRequestedMillis() > settings.closeTimeout().toMillis()) {
                abort(conn);
            }
            return;
        }
        Principal who = conn.principal();
        if (who == null) {
            if (now - conn.openedAtMillis() > settings.connectTimeout().toMillis()) {
                close(conn, CloseCodes.UNAUTHORIZED, "authentication required: send a token within "
                        + settings.connectTimeout().toMillis() + " ms", false);
            }
            return;
        }
        Instant expires = conn.expiresAt();
        if (expires != null) {
            long exp = expires.toEpochMilli();
            if (now > exp + settings.clockSkew().toMillis()) {
                close(conn, CloseCodes.TOKEN_EXPIRED, "token expired; reconnect with a new token", false);
                return;
            }
            if (!conn.expiryWarned() && now > exp - settings.tokenExpiryWarning().toMillis()) {
                conn.expiryWarned(true);
                reply(conn, Frames.MAPPER.createObjectNode().put("type", "token_expiring")
                        .put("expires_at", expires.toString()).toString());
            }
        }
        if (now - conn.lastSeenMillis() > settings.idleTimeout().toMillis()) {
            close(conn, CloseCodes.HEARTBEAT_TIMEOUT, "no frame or pong within "
                    + settings.idleTimeout().toMillis() + " ms", false);
        } else if (now - conn.lastPingMillis() >= settings.pingInterval().toMillis()) {
            conn.pinged(now);
            conn.outbox().ping();
        }
    }

    private void reply(Connection conn, String frame) {
        if (!conn.outbox().offer(frame)) {
            slowConsumer(conn);
        }
    }

    private void slowConsumer(Connection conn) {
        if (conn.outbox().closing()) {
            return;
        }
        LOGGER.log(System.Logger.Level.INFO, "Closing slow consumer (connection " + conn.id() + ", user "
                + conn.user() + ")");
        close(conn, CloseCodes.SLOW_CONSUMER, "slow consumer: send queue overflowed; reconnect and recover", true);
    }

    private void close(Connection conn, int code, String reason, boolean discardPending) {
        if (conn.outbox().close(code, clipReason(reason), discardPending)) {
            conn.closeRequested(clock.millis());
        }
        detach(conn);
    }

    private void abort(Connection conn) {
        detach(conn);
        connections.remove(conn.id());
        try {
            conn.transport().abort();
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "Abort failed: " + e);
        }
    }

    private void detach(Connection conn) {
        if (!conn.detach()) {
            return;
        }
        for (Subscription sub : conn.subscriptions().values()) {
            int left = local.remove(sub);
            if (left >= 0) {
                try {
                    presenceChange(Channel.parse(sub.channel()), conn.user(), -1, left == 0);
                } catch (HubException e) {
                    LOGGER.log(System.Logger.Level.DEBUG, "Presence removal failed: " + e.getMessage());
                }
            }
        }
        conn.subscriptions().clear();
        if (conn.counted()) {
            String user = conn.user();
            userConnections.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
            if (fanout.connected()) {
                try {
                    redis.presenceAdd(CONNS, user, -1);
                } catch (RuntimeException e) {
                    LOGGER.log(System.Logger.Level.DEBUG, "Connection count in Redis failed: " + e);
                }
            }
        }
    }

    private boolean tooLarge(String text) {
        int max = settings.maxFrameBytes();
        if (text.length() > max) {
            return true;
        }
        return (long) text.length() * 3 > max && text.getBytes(StandardCharsets.UTF_8).length > max;
    }

    private static String clipReason(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= 120) {
            return reason;
        }
        return new String(bytes, 0, 120, StandardCharsets.UTF_8).replace("\uFFFD", "");
    }

    private static JsonNode readJson(String text) {
        try {
            return Frames.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String f : fields) {
            JsonNode v = node.get(f);
            if (v != null && (v.isTextual() || v.isNumber()) && !v.asText().isEmpty()) {
                return v.asText();
            }
        }
        return null;
    }

    private static String sha256(String raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
