package ai.universal.memory;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A stored memory as clients see it.
 *
 * @param id         id (UUID)
 * @param owner      the user it belongs to
 * @param scope      the owner's partition it lives in ({@code default} unless given); dedupe stays inside one scope
 * @param agentId    agent it came from, or null
 * @param runId      run it came from, or null
 * @param text       text
 * @param metadata   JSON object
 * @param importance 0..1
 * @param createdAt  created
 * @param updatedAt  last changed
 * @param expiresAt  when it stops being listed and found, or null
 * @param version    increments on every change
 */
record Memory(String id, String owner, String scope, String agentId, String runId, String text, ObjectNode metadata,
              double importance, Instant createdAt, Instant updatedAt, Instant expiresAt, int version) {

    /**
     * The JSON a client reads (and what export writes, one per line).
     *
     * @return object
     */
    ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("id", id);
        json.put("owner", owner);
        json.put("scope", scope);
        json.put("text", text);
        json.set("metadata", metadata);
        json.put("agent_id", agentId);
        json.put("run_id", runId);
        json.put("importance", Math.round(importance * 1e6) / 1e6);
        json.put("created_at", createdAt.toString());
        json.put("updated_at", updatedAt.toString());
        json.put("expires_at", expiresAt == null ? null : expiresAt.toString());
        json.put("version", version);
        return json;
    }

    /**
     * The values history records for a change (no owner or timestamps: they do not change).
     *
     * @return snapshot
     */
    ObjectNode snapshot() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("text", text);
        json.set("metadata", metadata);
        json.put("scope", scope);
        json.put("agent_id", agentId);
        json.put("run_id", runId);
        json.put("importance", Math.round(importance * 1e6) / 1e6);
        json.put("expires_at", expiresAt == null ? null : expiresAt.toString());
        return json;
    }

    boolean expiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
