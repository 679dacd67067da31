package ai.universal.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.ProblemException;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Stored conversations, each visible to its owner only (problem+json errors):
 * <pre>
 * POST   /v1/conversations                  chat:write  {title?, model?, metadata?} → 201 conversation
 * GET    /v1/conversations?limit=&amp;offset=   chat:read   {object: list, data: [conversation], has_more}
 * GET    /v1/conversations/{id}             chat:read   conversation {id, object, title, model, metadata, created_at,
 *                                                       updated_at, message_count}
 * DELETE /v1/conversations/{id}             chat:write  204
 * GET    /v1/conversations/{id}/messages    chat:read   {object: list, data: [{id, role, content, tool_calls,
 *                                                       tool_call_id, model, deployment, usage, latency_ms, ttft_ms,
 *                                                       finish_reason, memories, created_at}]}
 * </pre>
 * A chat completion with {@code "conversation_id"} continues a conversation and stores its turn.
 */
final class ConversationService implements HttpService {
    private static final String BASE = "/v1/conversations";

    private final Conversations conversations;
    private final Access access;

    ConversationService(Conversations conversations, Access access) {
        this.conversations = conversations;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post(BASE, access.scope("chat:write", this::create))
                .get(BASE, access.scope("chat:read", this::list))
                .get(BASE + "/{id}", access.scope("chat:read", this::get))
                .delete(BASE + "/{id}", access.scope("chat:write", this::delete))
                .get(BASE + "/{id}/messages", access.scope("chat:read", this::messages));
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonNode body = req.content().hasEntity() ? Json.tree(req) : Json.MAPPER.createObjectNode();
        if (!body.isObject()) {
            throw ProblemException.badRequest("The body must be a JSON object");
        }
        String title = optionalString(body, "title", 200);
        String model = optionalString(body, "model", 200);
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            throw ProblemException.invalid("metadata", "metadata must be an object");
        }
        Conversations.Conversation c = conversations.create(user(req), title, model,
                                                            metadata == null || metadata.isNull() ? null : metadata);
        res.status(Status.CREATED_201);
        res.header("Location", BASE + "/" + c.id());
        res.send(json(c));
    }

    private void list(ServerRequest req, ServerResponse res) {
        int limit = intParam(req, "limit", 20, 1, 100);
        int offset = intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        List<Conversations.Conversation> page = conversations.list(user(req), limit + 1, offset);
        List<Map<String, Object>> data = new ArrayList<>();
        page.stream().limit(limit).forEach(c -> data.add(json(c)));
        res.send(Map.of("object", "list", "data", data, "has_more", page.size() > limit));
    }

    private void get(ServerRequest req, ServerResponse res) {
        res.send(json(find(req)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        if (!conversations.delete(user(req), id(req))) {
            throw notFound(req);
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    private void messages(ServerRequest req, ServerResponse res) {
        Conversations.Conversation c = find(req);
        List<Map<String, Object>> data = new ArrayList<>();
        for (Conversations.StoredMessage m : conversations.messages(c.id())) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", m.id());
            json.put("role", m.message().role());
            json.put("content", m.message().content());
            if (!m.message().toolCalls().isEmpty()) {
                json.put("tool_calls", OpenAiWire.toolCalls(m.message().toolCalls()));
            }
            if (m.message().toolCallId() != null) {
                json.put("tool_call_id", m.message().toolCallId());
            }
            if (m.model() != null) {
                json.put("model", m.model());
                json.put("deployment", m.deployment());
                json.put("usage", Map.of("prompt_tokens", m.usage().promptTokens(), "completion_tokens",
                                         m.usage().completionTokens(), "total_tokens", m.usage().total()));
                json.put("latency_ms", m.latencyMs());
                json.put("ttft_ms", m.ttftMs());
                json.put("finish_reason", m.finishReason());
                json.put("memories", m.memories());
            }
            json.put("created_at", m.createdAt());
            data.add(json);
        }
        res.send(Map.of("object", "list", "data", data));
    }

    private Conversations.Conversation find(ServerRequest req) {
        return conversations.get(user(req), id(req)).orElseThrow(() -> notFound(req));
    }

    private static ProblemException notFound(ServerRequest req) {
        return ProblemException.notFound("No conversation " + req.path().pathParameters().get("id") + " belongs to you");
    }

    private static UUID id(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("No conversation " + id + " belongs to you");
        }
    }

    private String user(ServerRequest req) {
        return access.principal(req).subject();
    }

    private static Map<String, Object> json(Conversations.Conversation c) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", c.id());
        json.put("object", "conversation");
        json.put("title", c.title());
        json.put("model", c.model());
        json.put("metadata", c.metadata());
        json.put("created_at", c.createdAt());
        json.put("updated_at", c.updatedAt());
        json.put("message_count", c.messageCount());
        return json;
    }

    private static String optionalString(JsonNode body, String field, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().length() > max) {
            throw ProblemException.invalid(field, field + " must be a string of at most " + max + " characters");
        }
        return value.asText();
    }

    static int intParam(ServerRequest req, String name, int fallback, int min, int max) {
        String value = req.query().first(name).orElse(null);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("Query parameter '" + name + "' must be an integer from " + min + " to " + max);
        }
    }
}
