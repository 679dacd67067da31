package ai.universal.edge.plugins;

import java.util.Optional;

/**
 * A plugin instance in the local edge, with Kong's phases: {@code access} (may answer instead of the upstream),
 * {@code headerFilter} (adds response headers, also on answers made by plugins) and {@code log} (after the response).
 * Instances are built once per config load and shared by all requests; per-request state lives in the {@link Exchange}.
 */
public interface EdgePlugin {

    /**
     * Kong's plugin name.
     *
     * @return name
     */
    String name();

    /**
     * Kong's priority (higher runs first).
     *
     * @return priority
     */
    int priority();

    /**
     * Access phase.
     *
     * @param exchange the request
     * @return a response to send instead of proxying, or empty to go on
     */
    /**
     * Whether this plugin's access phase waits on a network round trip of its own for every request (rate-limiting
     * counting in Redis synchronously). The edge's listener then serves that connection on a virtual thread, where
     * such a wait is cheap, instead of a platform thread.
     *
     * @return true when every request waits on the network here
     */
    default boolean waitsOnNetwork() {
        return false;
    }

    default Optional<EdgeResponse> access(Exchange exchange) {
        return Optional.empty();
    }

    /**
     * Header phase: runs for every response of a request this plugin applies to.
     *
     * @param exchange the request
     */
    default void headerFilter(Exchange exchange) {
    }

    /**
     * Log phase: after the response was sent.
     *
     * @param exchange the request
     */
    default void log(Exchange exchange) {
    }
}
