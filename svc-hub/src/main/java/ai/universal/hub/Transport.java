package ai.universal.hub;

/**
 * The socket under a connection, as the hub sees it (the WebSocket session; tests may drive the hub without one).
 * Calls may block while the peer's receive window is full; only the connection's {@link Outbox} drainer calls the
 * sending methods, one at a time.
 */
public interface Transport {
    /**
     * Send a text frame.
     *
     * @param text frame
     */
    void send(String text);

    /**
     * Send a WebSocket ping.
     */
    void ping();

    /**
     * Answer a WebSocket ping.
     *
     * @param payload the ping's payload
     */
    void pong(byte[] payload);

    /**
     * Send a close frame (the peer answers and the socket closes).
     *
     * @param code   close code
     * @param reason reason (≤ 123 bytes)
     */
    void close(int code, String reason);

    /**
     * Whether the socket is still there. A peer that vanishes without a close frame is noticed here (the sweeper
     * asks), since the WebSocket layer does not report it.
     *
     * @return false once the socket is gone
     */
    default boolean open() {
        return true;
    }

    /**
     * Cut the socket now, without a close handshake (a peer that does not read or answer).
     */
    void abort();
}
