package ai.universal.hub;

/**
 * WebSocket close codes the hub uses. 1xxx are the standard ones; 4xxx are the hub's own.
 */
public final class CloseCodes {
    /** Client or server ended normally. */
    public static final int NORMAL = 1000;
    /** A frame above the server's hard limit (1 MiB): sent by the WebSocket layer itself. */
    public static final int TOO_BIG = 1009;
    /** The node is shutting down: reconnect (to any node) and resubscribe with {@code since}. */
    public static final int SERVICE_RESTART = 1012;
    /** Credentials cannot be verified right now (svc-auth unreachable): reconnect later. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** No valid credentials: none within the connect timeout, or an invalid/expired token. */
    public static final int UNAUTHORIZED = 4001;
    /** The connection's token expired without a {@code refresh}. */
    public static final int TOKEN_EXPIRED = 4004;
    /** The client did not read fast enough: its send queue overflowed. Reconnect and recover with {@code since}. */
    public static final int SLOW_CONSUMER = 4008;
    /** Nothing heard from the client (no frame, no pong) within the idle timeout. */
    public static final int HEARTBEAT_TIMEOUT = 4009;
    /** The user already holds the maximum number of connections. */
    public static final int TOO_MANY_CONNECTIONS = 4029;

    private CloseCodes() {
    }
}
