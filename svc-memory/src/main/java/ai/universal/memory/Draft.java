package ai.universal.memory;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A memory as a client sends it, validated. For an import the id and timestamps come along too.
 *
 * @param text       text (trimmed, non-empty)
 * @param metadata   metadata object, or null when not given
 * @param scope      scope, or null for the default
 * @param agentId    agent id or null
 * @param runId      run id or null
 * @param importance 0..1, or null when not given
 * @param expiresAt  expiry, or null
 * @param expiresSet whether the client said anything about expiry (a patch may clear it with null)
 * @param id         id to keep (import), or null
 * @param createdAt  creation time to keep (import), or null
 * @param updatedAt  update time to keep (import), or null
 */
record Draft(String text, ObjectNode metadata, String scope, String agentId, String runId, Double importance,
             Instant expiresAt, boolean expiresSet, String id, Instant createdAt, Instant updatedAt) {
}
