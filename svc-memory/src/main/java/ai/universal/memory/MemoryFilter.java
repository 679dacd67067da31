package ai.universal.memory;

import java.time.Instant;
import java.util.List;

/**
 * Which of an owner's memories a list, search, export or delete looks at. Every field may be null (no restriction).
 *
 * @param scopes         scopes, any of
 * @param agentId        agent id
 * @param runId          run id
 * @param createdAfter   created at or after
 * @param createdBefore  created before
 * @param updatedAfter   updated at or after
 * @param updatedBefore  updated before
 * @param includeExpired whether expired memories count too
 * @param metadata       metadata condition
 */
record MemoryFilter(List<String> scopes, String agentId, String runId, Instant createdAfter, Instant createdBefore,
                    Instant updatedAfter, Instant updatedBefore, boolean includeExpired, Condition metadata) {

    /** Everything that has not expired. */
    static final MemoryFilter NONE = new MemoryFilter(null, null, null, null, null, null, null, false, null);

    /**
     * Whether anything beyond expiry is restricted (a delete by filter needs that, or an explicit {@code all}).
     *
     * @return true when some condition is set
     */
    boolean restricts() {
        return scopes != null || agentId != null || runId != null || createdAfter != null || createdBefore != null
                || updatedAfter != null || updatedBefore != null || metadata != null;
    }

    /**
     * Whether the filter narrows more than owner and scope (search then asks PostgreSQL for the allowed ids first).
     *
     * @return true for agent, run, time or metadata conditions
     */
    boolean narrowsBeyondScope() {
        return agentId != null || runId != null || createdAfter != null || createdBefore != null || updatedAfter != null
                || updatedBefore != null || metadata != null;
    }

    MemoryFilter withIncludeExpired(boolean include) {
        return new MemoryFilter(scopes, agentId, runId, createdAfter, createdBefore, updatedAfter, updatedBefore, include,
                                metadata);
    }
}
