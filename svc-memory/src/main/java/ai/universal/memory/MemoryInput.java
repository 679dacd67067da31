package ai.universal.memory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and validates memories from request JSON, naming the offending field on refusal: missing, empty or mistyped
 * values → 400; too long, too large or out of range → 422.
 * <pre>
 * {"text": "…", "metadata": {…}, "scope": "default", "agent_id", "run_id", "importance": 0..1,
 *  "expires_at": "RFC 3339" | "expires_in": seconds}
 * import also: "id", "created_at", "updated_at"
 * </pre>
 */
final class MemoryInput {
    private static final int MAX_ID_CHARS = 128;
    private static final long MAX_EXPIRES_IN = Duration.ofDays(36500).toSeconds();

    private final MemorySettings settings;

    MemoryInput(MemorySettings settings) {
        this.settings = settings;
    }

    /**
     * A memory to add or import.
     *
     * @param node   JSON object
     * @param field  its path, e.g. {@code memories[3]}
     * @param now    now (expiry must lie after it unless importing)
     * @param forImport whether id and timestamps are kept and past expiry allowed
     * @return draft
     */
    Draft draft(JsonNode node, String field, Instant now, boolean forImport) {
        if (node == null || !node.isObject()) {
            throw MemoryError.badRequest("invalid_memory", field, (field.isEmpty() ? "the body" : field)
                    + " must be a JSON object with at least \"text\"");
        }
        String prefix = field.isEmpty() ? "" : field + ".";
        JsonNode textNode = node.get("text");
        if (textNode == null || textNode.isNull()) {
            throw MemoryError.badRequest("missing_field", prefix + "text", prefix + "text is required");
        }
        String text = text(textNode, prefix + "text");
        Instant expiresAt = null;
        boolean expiresSet = node.has("expires_at") || node.has("expires_in");
        if (node.has("expires_at") && node.has("expires_in")) {
            throw MemoryError.badRequest("invalid_value", prefix + "expires_in", "give expires_at or expires_in, not both");
        }
        if (node.hasNonNull("expires_at")) {
            expiresAt = instant(node.get("expires_at"), prefix + "expires_at");
        } else if (node.hasNonNull("expires_in")) {
            JsonNode in = node.get("expires_in");
            if (!in.canConvertToLong() || !in.isIntegralNumber()) {
                throw MemoryError.badRequest("invalid_type", prefix + "expires_in", prefix + "expires_in must be whole seconds");
            }
            if (in.asLong() <= 0 || in.asLong() > MAX_EXPIRES_IN) {
                throw MemoryError.invalid("out_of_range", prefix + "expires_in", prefix + "expires_in must be 1 to "
                        + MAX_EXPIRES_IN + " seconds");
            }
            expiresAt = now.plusSeconds(in.asLong());
        }
        if (expiresAt != null && !forImport && !expiresAt.isAfter(now)) {
            throw MemoryError.invalid("expires_in_past", prefix + "expires_at", prefix + "expires_at lies in the past");
        }
        String id = null;
        Instant created = null;
        Instant updated = null;
        if (forImport) {
            if (node.hasNonNull("id")) {
                String raw = node.get("id").asText();
                try {
                    id = UUID.fromString(raw).toString();
                } catch (IllegalArgumentException e) {
                    throw MemoryError.badRequest("invalid_value", prefix + "id", prefix + "id must be a UUID");
                }
            }
            created = node.hasNonNull("created_at") ? instant(node.get("created_at"), prefix + "created_at") : null;
            updated = node.hasNonNull("updated_at") ? instant(node.get("updated_at"), prefix + "updated_at") : null;
        }
        return new Draft(text, metadata(node.get("metadata"), prefix + "metadata"), scope(node.get("scope"), prefix + "scope"),
                         label(node.get("agent_id"), prefix + "agent_id"), label(node.get("run_id"), prefix + "run_id"),
                         importance(node.get("importance"), prefix + "importance"), expiresAt, expiresSet, id, created,
                         updated);
    }

    /**
     * A change to a memory: any of text, metadata (a JSON merge patch: null removes a key), scope, agent_id, run_id,
     * importance, expires_at / expires_in (null clears expiry).
     *
     * @param node JSON object
     * @param now  now
     * @return the change as a draft (null fields unchanged; metadata is the merge patch)
     */
    Draft patch(JsonNode node, Instant now) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw MemoryError.badRequest("invalid_patch", "", "the body must be a JSON object with at least one of text, "
                    + "metadata, scope, agent_id, run_id, importance, expires_at, expires_in");
        }
        String text = node.hasNonNull("text") ? text(node.get("text"), "text") : null;
        if (node.has("text") && node.get("text").isNull()) {
            throw MemoryError.badRequest("empty_text", "text", "text cannot be removed");
        }
        Instant expiresAt = null;
        if (node.hasNonNull("expires_at")) {
            expiresAt = instant(node.get("expires_at"), "expires_at");
        } else if (node.hasNonNull("expires_in")) {
            JsonNode in = node.get("expires_in");
            if (!in.isIntegralNumber() || in.asLong() <= 0 || in.asLong() > MAX_EXPIRES_IN) {
                throw MemoryError.invalid("out_of_range", "expires_in", "expires_in must be 1 to " + MAX_EXPIRES_IN + " seconds");
            }
            expiresAt = now.plusSeconds(in.asLong());
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw MemoryError.invalid("expires_in_past", "expires_at", "expires_at lies in the past");
        }
        JsonNode metadata = node.get("metadata");
        return new Draft(text, metadata == null || metadata.isNull() ? null : metadata(metadata, "metadata"),
                         scope(node.get("scope"), "scope"), label(node.get("agent_id"), "agent_id"),
                         label(node.get("run_id"), "run_id"), importance(node.get("importance"), "importance"),
                         expiresAt, node.has("expires_at") || node.has("expires_in"), null, null, null);
    }

    /**
     * The drafts of an add: one object, or {@code {"memories": [...]}}.
     *
     * @param body body
     * @param now  now
     * @return drafts (one or more)
     */
    List<Draft> drafts(JsonNode body, Instant now) {
        if (body.isObject() && body.has("memories")) {
            JsonNode list = body.get("memories");
            if (!list.isArray() || list.isEmpty()) {
                throw MemoryError.badRequest("empty_batch", "memories", "memories must be a non-empty array");
            }
            if (list.size() > settings.maxBatch()) {
                throw MemoryError.tooLarge("too_many_memories", "memories", "memories has " + list.size()
                        + " items; the limit is " + settings.maxBatch());
            }
            List<Draft> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(draft(list.get(i), "memories[" + i + "]", now, false));
            }
            return out;
        }
        return List.of(draft(body, "", now, false));
    }

    private String text(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw MemoryError.badRequest("invalid_type", field, field + " must be a string");
        }
        String text = node.asText().strip();
        if (text.isEmpty()) {
            throw MemoryError.badRequest("empty_text", field, field + " is empty");
        }
        if (text.indexOf('\0') >= 0) {
            throw MemoryError.badRequest("invalid_text", field, field + " contains a NUL character");
        }
        if (text.length() > settings.maxTextChars()) {
            throw MemoryError.invalid("text_too_long", field, field + " has " + text.length() + " characters; the limit is "
                    + settings.maxTextChars());
        }
        return text;
    }

    private ObjectNode metadata(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw MemoryError.badRequest("invalid_type", field, field + " must be a JSON object");
        }
        String json = MemoryStore.json(node);
        if (json.contains("\\u0000")) {
            throw MemoryError.badRequest("invalid_metadata", field, field + " contains a NUL character");
        }
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > settings.maxMetadataBytes()) {
            throw MemoryError.invalid("metadata_too_large", field, field + " has " + bytes + " bytes as JSON; the limit is "
                    + settings.maxMetadataBytes());
        }
        return (ObjectNode) node;
    }

    private static String scope(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !FilterParser.SCOPE.matcher(node.asText()).matches()) {
            throw MemoryError.badRequest("invalid_scope", field,
                                         field + " must be 1 to 128 characters of letters, digits and . _ : @ / -");
        }
        return node.asText();
    }

    private static String label(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isEmpty() || node.asText().length() > MAX_ID_CHARS
                || node.asText().chars().anyMatch(Character::isISOControl)) {
            throw MemoryError.badRequest("invalid_value", field, field + " must be a string of 1 to " + MAX_ID_CHARS
                    + " printable characters");
        }
        return node.asText();
    }

    private static Double importance(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw MemoryError.badRequest("invalid_type", field, field + " must be a number from 0 to 1");
        }
        double v = node.asDouble();
        if (!(v >= 0 && v <= 1)) {
            throw MemoryError.invalid("out_of_range", field, field + " must be from 0 to 1");
        }
        return v;
    }

    private static Instant instant(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw MemoryError.badRequest("invalid_type", field, field + " must be an RFC 3339 date-time string");
        }
        try {
            return FilterParser.instant(node.asText(), field);
        } catch (MemoryError e) {
            throw MemoryError.badRequest("invalid_value", field, e.getMessage());
        }
    }
}
