package ai.universal.hub;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import ai.universal.kit.Settings;

/**
 * Every hub setting, read once at start (environment variable, then {@code hub.*} in application.yaml, then the
 * default). The README's configuration table lists them.
 *
 * @param nodeId                   this node's id in Redis (presence, connection counts)
 * @param maxChannelsPerConnection subscriptions one connection may hold
 * @param maxFrameBytes            largest client frame accepted
 * @param publishRate              publishes per second per connection (sustained)
 * @param publishBurst             publishes a connection may burst
 * @param maxConnectionsPerUser    concurrent connections per user, across nodes
 * @param sendQueueSize            frames queued for one connection before it counts as a slow consumer
 * @param connectTimeout           how long an unauthenticated connection may wait to send {@code connect}
 * @param pingInterval             how often the server pings a connection
 * @param idleTimeout              a connection silent this long (no frame, no pong) is closed
 * @param closeTimeout             how long a closing connection gets to flush before its socket is cut
 * @param sweepInterval            how often timeouts are checked
 * @param tokenExpiryWarning       how long before token expiry the client is told to refresh
 * @param clockSkew                tolerance on token expiry (JWT_CLOCK_SKEW)
 * @param historySize              publications kept per channel
 * @param historyTtl               how long history (and its epoch) lives after the last publication
 * @param nodeTtl                  how long a node's presence entries outlive its last heartbeat
 * @param shutdownWait             how long shutdown waits for clients to leave after the reconnect close
 * @param eventsChannel            Redis pub/sub channel carrying platform events
 * @param policy                   channel permissions and features
 */
public record HubSettings(String nodeId, int maxChannelsPerConnection, int maxFrameBytes, double publishRate,
                          int publishBurst, int maxConnectionsPerUser, int sendQueueSize, Duration connectTimeout,
                          Duration pingInterval, Duration idleTimeout, Duration closeTimeout, Duration sweepInterval,
                          Duration tokenExpiryWarning, Duration clockSkew, int historySize, Duration historyTtl,
                          Duration nodeTtl, Duration shutdownWait, String eventsChannel, ChannelPolicy policy) {

    /**
     * Read the settings.
     *
     * @param s settings
     * @return hub settings
     */
    public static HubSettings from(Settings s) {
        List<ChannelPolicy.Restriction> restricted = new ArrayList<>();
        for (String spec : list(s.string("HUB_RESTRICTED_ROOMS", "hub.restricted-rooms", ""))) {
            restricted.add(ChannelPolicy.Restriction.parse(spec));
        }
        ChannelPolicy policy = new ChannelPolicy(
                Set.copyOf(list(s.string("HUB_HISTORY_NAMESPACES", "hub.history-namespaces", "user,room,public"))),
                Set.copyOf(list(s.string("HUB_JOIN_LEAVE_NAMESPACES", "hub.join-leave-namespaces", "room"))),
                Set.copyOf(list(s.string("HUB_CLIENT_PUBLISH_NAMESPACES", "hub.client-publish-namespaces", "room"))),
                restricted);
        return new HubSettings(
                s.string("HUB_NODE_ID", "hub.node-id", defaultNodeId()),
                positive(s.integer("HUB_MAX_CHANNELS_PER_CONNECTION", "hub.max-channels-per-connection", 100), "channels"),
                positive(s.integer("HUB_MAX_FRAME_BYTES", "hub.max-frame-bytes", 65536), "frame bytes"),
                Double.parseDouble(s.string("HUB_PUBLISH_RATE", "hub.publish-rate", "20")),
                positive(s.integer("HUB_PUBLISH_BURST", "hub.publish-burst", 40), "publish burst"),
                positive(s.integer("HUB_MAX_CONNECTIONS_PER_USER", "hub.max-connections-per-user", 20), "connections"),
                positive(s.integer("HUB_SEND_QUEUE_SIZE", "hub.send-queue-size", 1024), "send queue"),
                s.duration("HUB_CONNECT_TIMEOUT", "hub.connect-timeout", Duration.ofSeconds(5)),
                s.duration("HUB_PING_INTERVAL", "hub.ping-interval", Duration.ofSeconds(25)),
                s.duration("HUB_IDLE_TIMEOUT", "hub.idle-timeout", Duration.ofSeconds(60)),
                s.duration("HUB_CLOSE_TIMEOUT", "hub.close-timeout", Duration.ofSeconds(5)),
                s.duration("HUB_SWEEP_INTERVAL", "hub.sweep-interval", Duration.ofSeconds(1)),
                s.duration("HUB_TOKEN_EXPIRY_WARNING", "hub.token-expiry-warning", Duration.ofSeconds(30)),
                s.duration("JWT_CLOCK_SKEW", "auth.clock-skew", Duration.ofSeconds(30)),
                positive(s.integer("HUB_HISTORY_SIZE", "hub.history-size", 1000), "history size"),
                s.duration("HUB_HISTORY_TTL", "hub.history-ttl", Duration.ofHours(24)),
                s.duration("HUB_NODE_TTL", "hub.node-ttl", Duration.ofSeconds(15)),
                s.duration("HUB_SHUTDOWN_WAIT", "hub.shutdown-wait", Duration.ofSeconds(2)),
                s.string("HUB_EVENTS_CHANNEL", "hub.events-channel", "uat:events"),
                policy);
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(v -> !v.isEmpty()).collect(Collectors.toList());
    }

    private static int positive(int value, String what) {
        if (value <= 0) {
            throw new IllegalArgumentException("hub " + what + " limit must be positive, got " + value);
        }
        return value;
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "hub";
        }
        return host.replaceAll("[^A-Za-z0-9.-]", "") + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
