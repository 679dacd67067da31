package ai.universal.edge.plugins;

import java.util.List;

/**
 * Where rate-limiting counts live: in this process ({@code local}) or in Redis ({@code redis}, shared by every edge
 * that uses the same Redis). One call checks every window of a request and counts it only when none is full, so a
 * refused request does not use up the limit (as in Kong).
 */
public interface RateLimitStore {

    /**
     * Check the windows and count the request when all have room.
     *
     * @param keys       one counter key per window (Kong's key format)
     * @param limits     limit per window
     * @param ttlSeconds lifetime per window
     * @return usage of each window before this request, and whether a window was full
     * @throws Exception when the store cannot be reached
     */
    Outcome checkAndCount(List<String> keys, List<Double> limits, List<Integer> ttlSeconds) throws Exception;

    /**
     * Result of a check.
     *
     * @param usage   usage before this request, per window
     * @param stopped whether a window was full (the request was not counted)
     */
    record Outcome(long[] usage, boolean stopped) {
    }
}
