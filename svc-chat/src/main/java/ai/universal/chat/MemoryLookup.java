package ai.universal.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.universal.kit.ServiceClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.http.Method;

/**
 * Fetches the caller's most relevant memories from svc-memory ({@code POST /v1/memories/search} with
 * {@code {"query", "limit"}} → {@code {"results": [{"id", "text", "score", …}]}}), with the caller's own credentials,
 * so svc-memory returns only that user's memories. Any failure — svc-memory down, slow, or answering an error — is
 * reported as unavailable, never as a failed chat.
 */
final class MemoryLookup {
    private static final System.Logger LOGGER = System.getLogger(MemoryLookup.class.getName());

    /**
     * A memory.
     *
     * @param id    id
     * @param text  text
     * @param score relevance
     */
    record Memory(String id, String text, double score) {
    }

    /**
     * The lookup's outcome.
     *
     * @param available whether svc-memory answered
     * @param memories  memories, most relevant first
     * @param detail    why it was unavailable
     */
    record Result(boolean available, List<Memory> memories, String detail) {
    }

    private final ServiceClient client;

    MemoryLookup(ServiceClient client) {
        this.client = client;
    }

    Result search(String query, int limit) {
        if (query.isBlank()) {
            return new Result(true, List.of(), null);
        }
        try {
            ServiceClient.Response response = client.send(Method.POST, "/v1/memories/search",
                                                           Map.of("query", query, "limit", limit));
            if (response.status() != 200) {
                return unavailable("svc-memory answered " + response.status());
            }
            JsonNode body = response.json(JsonNode.class);
            List<Memory> memories = new ArrayList<>();
            for (JsonNode r : body.path("results")) {
                if (r.path("text").isTextual()) {
                    memories.add(new Memory(r.path("id").asText(), r.path("text").asText(), r.path("score").asDouble()));
                }
            }
            return new Result(true, memories.size() > limit ? memories.subList(0, limit) : memories, null);
        } catch (RuntimeException e) {
            return unavailable("svc-memory unreachable (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Result unavailable(String detail) {
        LOGGER.log(System.Logger.Level.WARNING, "Chat continues without memories: " + detail);
        return new Result(false, List.of(), detail);
    }

    /**
     * The system message that carries memories into the prompt.
     *
     * @param memories memories
     * @return message text
     */
    static String systemPrompt(List<Memory> memories) {
        StringBuilder text = new StringBuilder("Relevant memories about the user (most relevant first); use them when they help:");
        for (Memory m : memories) {
            text.append("\n- ").append(m.text().replace('\n', ' '));
        }
        return text.toString();
    }
}
