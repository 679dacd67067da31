package ai.universal.chat;

import java.util.Locale;

/** How the deployments of an alias are ordered for a request. */
enum RoutingStrategy {
    /** By priority; later ones are fallbacks. */
    PRIORITY,
    /** Shuffled in proportion to weight. */
    WEIGHTED,
    /** Fewest requests in flight first. */
    LEAST_IN_FLIGHT,
    /** Lowest recent latency first (time to first token for streams). */
    LOWEST_LATENCY;

    static RoutingStrategy parse(String text) {
        if (text == null || text.isBlank()) {
            return PRIORITY;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown routing strategy '" + text
                                                       + "'; use priority, weighted, least-in-flight or lowest-latency");
        }
    }
}
