package ai.universal.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Stored conversations (PostgreSQL, schema {@code chat}): each belongs to one user; its messages keep the content as
 * sent (text or parts), tool calls, and for answers the model, deployment, usage, latency, time to first token and
 * the memories that were put into the prompt.
 */
final class Conversations {

    /**
     * A conversation.
     *
     * @param id           id
     * @param owner        user id
     * @param title        title (the first user message when none was given)
     * @param model        default model (may be null)
     * @param metadata     client metadata
     * @param createdAt    created
     * @param updatedAt    last message
     * @param messageCount messages stored
     */
    record Conversation(UUID id, String owner, String title, String model, JsonNode metadata, Instant createdAt,
                        Instant updatedAt, int messageCount) {
    }

    /**
     * A stored message.
     *
     * @param id           sequence id
     * @param message      the message
     * @param model        alias that answered (answers only)
     * @param deployment   deployment that answered
     * @param usage        usage (answers only)
     * @param latencyMs    latency (answers only)
     * @param ttftMs       time to first token (streamed answers)
     * @param finishReason finish reason
     * @param memories     memories used [{id, score}] (may be null)
     * @param createdAt    stored at
     */
    record StoredMessage(long id, ChatMessage message, String model, String deployment, Usage usage, Double latencyMs,
                         Double ttftMs, String finishReason, JsonNode memories, Instant createdAt) {
    }

    /**
     * The answer to store with the new messages.
     *
     * @param completion   answer
     * @param model        alias
     * @param deployment   deployment id
     * @param latencyMs    latency
     * @param ttftMs       time to first token (or null)
     * @param memories     memories used (or null)
     */
    record Answer(Completion completion, String model, String deployment, double latencyMs, Double ttftMs, JsonNode memories) {
    }

    private final DataSource db;
    private final Clock clock;

    Conversations(DataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    Conversation create(String owner, String title, String model, JsonNode metadata) {
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        sql("INSERT INTO conversations (id, owner, title, model, metadata, created_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, CAST(? AS jsonb), ?, ?)", ps -> {
            ps.setObject(1, id);
            ps.setString(2, owner);
            ps.setString(3, title);
            ps.setString(4, model);
            ps.setString(5, metadata == null ? "{}" : metadata.toString());
            ps.setTimestamp(6, Timestamp.from(now));
            ps.setTimestamp(7, Timestamp.from(now));
            ps.executeUpdate();
            return null;
        });
        return new Conversation(id, owner, title, model, metadata == null ? Json.MAPPER.createObjectNode() : metadata, now, now,
                                0);
    }

    Optional<Conversation> get(String owner, UUID id) {
        return sql(SELECT + " WHERE c.id = ? AND c.owner = ?", ps -> {
            ps.setObject(1, id);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(conversation(rs)) : Optional.<Conversation>empty();
            }
        });
    }

    List<Conversation> list(String owner, int limit, int offset) {
        return sql(SELECT + " WHERE c.owner = ? ORDER BY c.updated_at DESC, c.id LIMIT ? OFFSET ?", ps -> {
            ps.setString(1, owner);
            ps.setInt(2, limit);
            ps.setInt(3, offset);
            List<Conversation> list = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(conversation(rs));
                }
            }
            return list;
        });
    }

    boolean delete(String owner, UUID id) {
        return sql("DELETE FROM conversations WHERE id = ? AND owner = ?", ps -> {
            ps.setObject(1, id);
            ps.setString(2, owner);
            return ps.executeUpdate() == 1;
        });
    }

    List<StoredMessage> messages(UUID id) {
        return sql("SELECT id, role, content::text, tool_calls::text, tool_call_id, name, model, deployment, prompt_tokens, "
                           + "completion_tokens, latency_ms, ttft_ms, finish_reason, memories::text, created_at "
                           + "FROM messages WHERE conversation_id = ? ORDER BY id", ps -> {
            ps.setObject(1, id);
            List<StoredMessage> list = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<ToolCall> calls = new ArrayList<>();
                    JsonNode callsNode = json(rs.getString(4));
                    if (callsNode != null) {
                        for (JsonNode c : callsNode) {
                            calls.add(new ToolCall(c.path("id").asText(), c.path("function").path("name").asText(),
                                                   c.path("function").path("arguments").asText()));
                        }
                    }
                    ChatMessage m = new ChatMessage(rs.getString(2), json(rs.getString(3)), calls, rs.getString(5),
                                                    rs.getString(6));
                    Integer prompt = (Integer) rs.getObject(9);
                    Usage usage = prompt == null ? null : new Usage(prompt, rs.getInt(10));
                    list.add(new StoredMessage(rs.getLong(1), m, rs.getString(7), rs.getString(8), usage,
                                               (Double) rs.getObject(11), (Double) rs.getObject(12), rs.getString(13),
                                               json(rs.getString(14)), rs.getTimestamp(15).toInstant()));
                }
            }
            return list;
        });
    }

    /**
     * Store the new messages of a turn and the answer, in one transaction.
     *
     * @param id       conversation
     * @param incoming the client's new (non-system) messages
     * @param answer   the answer
     */
    void append(UUID id, List<ChatMessage> incoming, Answer answer) {
        Instant now = clock.instant();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO messages (conversation_id, role, content, tool_calls, tool_call_id, name, model, deployment, "
                            + "prompt_tokens, completion_tokens, latency_ms, ttft_ms, finish_reason, memories, created_at) "
                            + "VALUES (?, ?, CAST(? AS jsonb), CAST(? AS jsonb), ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?)")) {
                for (ChatMessage m : incoming) {
                    bind(ps, id, m, now);
                    for (int i = 7; i <= 14; i++) {
                        ps.setObject(i, null);
                    }
                    ps.addBatch();
                }
                Completion done = answer.completion();
                bind(ps, id, ChatMessage.assistant(done.text(), done.toolCalls()), now);
                ps.setString(7, answer.model());
                ps.setString(8, answer.deployment());
                ps.setInt(9, done.usage().promptTokens());
                ps.setInt(10, done.usage().completionTokens());
                ps.setDouble(11, answer.latencyMs());
                ps.setObject(12, answer.ttftMs());
                ps.setString(13, done.finishReason());
                ps.setString(14, answer.memories() == null ? null : answer.memories().toString());
                ps.addBatch();
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE conversations SET updated_at = ?, title = COALESCE(title, ?) WHERE id = ?")) {
                ps.setTimestamp(1, Timestamp.from(now));
                String firstUser = incoming.stream().filter(m -> "user".equals(m.role())).map(ChatMessage::text)
                        .findFirst().orElse(null);
                ps.setString(2, firstUser == null ? null : firstUser.length() > 80 ? firstUser.substring(0, 80) : firstUser);
                ps.setObject(3, id);
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("Storing conversation messages failed: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, UUID id, ChatMessage m, Instant now) throws SQLException {
        ps.setObject(1, id);
        ps.setString(2, m.role());
        ps.setString(3, m.content() == null ? null : m.content().toString());
        ps.setString(4, m.toolCalls().isEmpty() ? null : OpenAiWire.toolCalls(m.toolCalls()).toString());
        ps.setString(5, m.toolCallId());
        ps.setString(6, m.name());
        ps.setTimestamp(15, Timestamp.from(now));
    }

    private static final String SELECT = "SELECT c.id, c.owner, c.title, c.model, c.metadata::text, c.created_at, c.updated_at, "
            + "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) FROM conversations c";

    private static Conversation conversation(ResultSet rs) throws SQLException {
        return new Conversation(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                                json(rs.getString(5)), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant(),
                                rs.getInt(8));
    }

    private static JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Stored JSON is unreadable", e);
        }
    }

    @FunctionalInterface
    private interface Statement<T> {
        T run(PreparedStatement ps) throws SQLException;
    }

    private <T> T sql(String sql, Statement<T> statement) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            return statement.run(ps);
        } catch (SQLException e) {
            throw new IllegalStateException("Conversation query failed: " + e.getMessage(), e);
        }
    }
}
