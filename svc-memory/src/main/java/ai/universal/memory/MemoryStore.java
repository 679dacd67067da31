package ai.universal.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The memories in PostgreSQL (schema {@code memory}): rows, history and the index outbox. Writes that belong together
 * run in one transaction through {@link #inTransaction}; every read is confined to one owner.
 */
final class MemoryStore {
    static final String COLUMNS = "id, owner, scope, agent_id, run_id, text, metadata, importance, created_at, updated_at,"
            + " expires_at, version";

    private static final String DEADLOCK = "40P01";

    private final DataSource db;

    /**
     * Work inside one transaction.
     *
     * @param <T> result
     */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * A page of a list.
     *
     * @param memories memories
     * @param next     cursor of the next page, or null
     */
    record Page(List<Memory> memories, Cursor next) {
    }

    /**
     * A memory with what search scores it on.
     *
     * @param memory    memory
     * @param keyword   full-text rank for the query (0 when no term matches)
     * @param embedding stored vector, or null when not yet computed
     */
    record Scored(Memory memory, double keyword, float[] embedding) {
    }

    /**
     * A history entry.
     *
     * @param event    added, updated, deleted
     * @param reason   why (create, dedupe, patch, delete, expired, import, …)
     * @param actor    who (token subject)
     * @param previous value before, or null
     * @param current  value after, or null
     * @param at       when
     */
    record Change(String event, String reason, String actor, ObjectNode previous, ObjectNode current, Instant at) {
    }

    MemoryStore(DataSource db) {
        this.db = db;
    }

    DataSource dataSource() {
        return db;
    }

    /**
     * Run work in one transaction. A transaction PostgreSQL aborted to break a deadlock (two batches locking the same
     * memories in different orders) is run again, up to three times; work must therefore start from scratch each run.
     *
     * @param work work
     * @param <T>  result
     * @return result
     */
    <T> T inTransaction(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (DEADLOCK.equals(e.getSQLState()) && attempt < 3) {
                    continue;
                }
                throw new IllegalStateException("PostgreSQL: " + e.getMessage(), e);
            }
        }
    }

    <T> T read(Work<T> work) {
        try (Connection c = db.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + e.getMessage(), e);
        }
    }

    Optional<Memory> find(Connection c, String owner, UUID id, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM memories WHERE id = ? AND owner = ?"
                                                               + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setObject(1, id);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(memory(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Owner of an id, whoever it is (import keeps ids that are free).
     *
     * @param c  connection
     * @param id id
     * @return owner, empty when the id is free
     * @throws SQLException on failure
     */
    Optional<String> ownerOf(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner FROM memories WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    Optional<Memory> findSameText(Connection c, String owner, String scope, byte[] hash, String text, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM memories WHERE owner = ? AND scope = ? AND text_hash = ? AND text = ?"
                        + " AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at LIMIT 1 FOR UPDATE")) {
            Sql.bind(c, ps, List.of(owner, scope, hash, text, now));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(memory(rs)) : Optional.empty();
            }
        }
    }

    void insert(Connection c, Memory m, byte[] hash, float[] embedding, String model) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO memories (id, owner, scope, agent_id, run_id, text, text_hash, metadata, importance, created_at,"
                        + " updated_at, expires_at, version, embedding, embedding_model)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)")) {
            Sql.bind(c, ps, java.util.Arrays.asList(UUID.fromString(m.id()), m.owner(), m.scope(), m.agentId(), m.runId(),
                                                    m.text(), hash, json(m.metadata()), (float) m.importance(),
                                                    m.createdAt(), m.updatedAt(), m.expiresAt(), m.version(),
                                                    embedding == null ? null : EmbeddingClient.bytes(embedding),
                                                    embedding == null ? null : model));
            ps.executeUpdate();
        }
    }

    /**
     * Write a changed memory. A new text drops the stored embedding unless the new one is given.
     *
     * @param c           connection
     * @param m           new state (version already incremented)
     * @param hash        text hash
     * @param textChanged whether the text changed
     * @param embedding   embedding of the new text, or null
     * @param model       its model
     * @throws SQLException on failure
     */
    void update(Connection c, Memory m, byte[] hash, boolean textChanged, float[] embedding, String model) throws SQLException {
        String set = "scope = ?, agent_id = ?, run_id = ?, text = ?, text_hash = ?, metadata = ?::jsonb, importance = ?,"
                + " created_at = ?, updated_at = ?, expires_at = ?, version = ?"
                + (textChanged ? ", embedding = ?, embedding_model = ?" : "");
        List<Object> values = new ArrayList<>(java.util.Arrays.asList(m.scope(), m.agentId(), m.runId(), m.text(), hash,
                                                                      json(m.metadata()), (float) m.importance(),
                                                                      m.createdAt(), m.updatedAt(), m.expiresAt(),
                                                                      m.version()));
        if (textChanged) {
            values.add(embedding == null ? null : EmbeddingClient.bytes(embedding));
            values.add(embedding == null ? null : model);
        }
        values.add(UUID.fromString(m.id()));
        values.add(m.owner());
        try (PreparedStatement ps = c.prepareStatement("UPDATE memories SET " + set + " WHERE id = ? AND owner = ?")) {
            Sql.bind(c, ps, values);
            ps.executeUpdate();
        }
    }

    void delete(Connection c, Memory m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM memories WHERE id = ? AND owner = ?")) {
            ps.setObject(1, UUID.fromString(m.id()));
            ps.setString(2, m.owner());
            ps.executeUpdate();
        }
    }

    /**
     * Delete every memory matching a filter, returning them (locked in the same statement).
     *
     * @param c      connection
     * @param owner  owner
     * @param filter filter
     * @param now    now
     * @return deleted memories
     * @throws SQLException on failure
     */
    List<Memory> deleteWhere(Connection c, String owner, MemoryFilter filter, Instant now) throws SQLException {
        Sql sql = new Sql().append("DELETE FROM memories WHERE ").append(FilterSql.where(owner, filter, now))
                .append(" RETURNING " + COLUMNS);
        return memories(c, sql);
    }

    long count(String owner, MemoryFilter filter, Instant now) {
        return read(c -> {
            Sql sql = new Sql().append("SELECT count(*) FROM memories WHERE ").append(FilterSql.where(owner, filter, now));
            try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    void history(Connection c, String memoryId, String owner, Change change) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO memory_history (memory_id, owner, event, reason, actor, previous, current, at)"
                        + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)")) {
            Sql.bind(c, ps, java.util.Arrays.asList(UUID.fromString(memoryId), owner, change.event(), change.reason(),
                                                    change.actor(), json(change.previous()), json(change.current()),
                                                    change.at()));
            ps.executeUpdate();
        }
    }

    /**
     * Ask the relay to bring this memory's vector up to date (in the caller's transaction).
     *
     * @param c   connection
     * @param id  memory id
     * @param now now
     * @throws SQLException on failure
     */
    void enqueue(Connection c, String id, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO index_outbox (memory_id, created_at, next_attempt_at) VALUES (?, ?, ?)")) {
            Sql.bind(c, ps, List.of(UUID.fromString(id), now, now));
            ps.executeUpdate();
        }
    }

    List<Change> changes(String owner, UUID id) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT event, reason, actor, previous, current, at FROM memory_history WHERE memory_id = ? AND owner = ?"
                            + " ORDER BY id")) {
                ps.setObject(1, id);
                ps.setString(2, owner);
                List<Change> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Change(rs.getString(1), rs.getString(2), rs.getString(3), object(rs.getString(4)),
                                           object(rs.getString(5)), instant(rs, 6)));
                    }
                }
                return out;
            }
        });
    }

    Page list(String owner, MemoryFilter filter, int limit, Cursor after, Instant now) {
        return read(c -> {
            Sql sql = new Sql().append("SELECT " + COLUMNS + " FROM memories WHERE ").append(FilterSql.where(owner, filter, now));
            if (after != null) {
                sql.append(" AND (created_at, id) < (?, ?)", after.createdAt(), after.id());
            }
            sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?", limit + 1);
            List<Memory> rows = memories(c, sql);
            if (rows.size() <= limit) {
                return new Page(rows, null);
            }
            Memory last = rows.get(limit - 1);
            return new Page(rows.subList(0, limit), new Cursor(last.createdAt(), UUID.fromString(last.id())));
        });
    }

    /**
     * Ids of the owner's memories matching a filter, when there are at most {@code max}.
     *
     * @param owner  owner
     * @param filter filter
     * @param max    most ids
     * @param now    now
     * @return ids, or empty when more match
     */
    Optional<List<String>> idsIfFew(String owner, MemoryFilter filter, int max, Instant now) {
        return read(c -> {
            Sql sql = new Sql().append("SELECT id FROM memories WHERE ").append(FilterSql.where(owner, filter, now))
                    .append(" LIMIT ?", max + 1);
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids.size() > max ? Optional.empty() : Optional.of(ids);
        });
    }

    /**
     * Best full-text matches of a query: the memories holding every word of the query, ranked, and the memories holding
     * any of its words, ranked. Each side ranks at most {@link #KEYWORD_SCAN} matching rows (a common word can match a
     * large share of a user's memories, and ranking reads every matched row); the semantic side finds what this cap
     * leaves out.
     *
     * @param owner  owner
     * @param filter filter
     * @param query  query text
     * @param limit  most ids
     * @param now    now
     * @return ids, best first
     */
    List<String> keywordIds(String owner, MemoryFilter filter, String query, int limit, Instant now) {
        return read(c -> {
            Sql sql = new Sql().append("WITH q AS (SELECT " + tsquery("|") + " AS any_word, " + tsquery("&")
                                               + " AS all_words) SELECT id, max(rank) AS best FROM (", query, query);
            for (String side : new String[] {"all_words", "any_word"}) {
                if (side.equals("any_word")) {
                    sql.append(" UNION ALL ");
                }
                sql.append("(SELECT id, ts_rank_cd(tsv, q.any_word, 32) AS rank FROM (SELECT id, tsv FROM memories, q WHERE ")
                        .append(FilterSql.where(owner, filter, now))
                        .append(" AND tsv @@ q." + side + " LIMIT ?) m, q)", KEYWORD_SCAN);
            }
            sql.append(") hits GROUP BY id ORDER BY best DESC, id LIMIT ?", limit);
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    /**
     * Load candidates with their keyword rank and embedding, applying the filter again.
     *
     * @param owner  owner
     * @param filter filter
     * @param ids    candidate ids
     * @param query  query text
     * @param now    now
     * @return the candidates that pass the filter
     */
    List<Scored> scored(String owner, MemoryFilter filter, List<String> ids, String query, Instant now) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return read(c -> {
            UUID[] uuids = ids.stream().map(UUID::fromString).toArray(UUID[]::new);
            // OFFSET 0 keeps the primary-key lookup first: the owner and filter apply to those few rows only (the
            // planner otherwise may AND in a bitmap of all the owner's rows).
            Sql sql = new Sql().append("WITH q AS (SELECT " + TSQUERY + " AS query) SELECT " + COLUMNS
                                               + ", COALESCE(ts_rank_cd(tsv, q.query, 32), 0), embedding FROM"
                                               + " (SELECT * FROM memories WHERE id = ANY(?) OFFSET 0) memories, q WHERE ",
                                       query, uuids)
                    .append(FilterSql.where(owner, filter, now));
            List<Scored> out = new ArrayList<>();
            try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Scored(memory(rs), rs.getDouble(13), EmbeddingClient.floats(rs.getBytes(14))));
                }
            }
            return out;
        });
    }

    /**
     * A page of an export, in id order.
     *
     * @param owner  owner
     * @param filter filter
     * @param after  last id of the previous page, or null
     * @param size   page size
     * @param now    now
     * @return memories
     */
    List<Memory> exportPage(String owner, MemoryFilter filter, UUID after, int size, Instant now) {
        return read(c -> {
            Sql sql = new Sql().append("SELECT " + COLUMNS + " FROM memories WHERE ").append(FilterSql.where(owner, filter, now));
            if (after != null) {
                sql.append(" AND id > ?", after);
            }
            sql.append(" ORDER BY id LIMIT ?", size);
            return memories(c, sql);
        });
    }

    /**
     * Memories expired before a time, any owner, locked for deletion.
     *
     * @param c      connection
     * @param cutoff expired before this
     * @param limit  most rows
     * @return memories
     * @throws SQLException on failure
     */
    List<Memory> expired(Connection c, Instant cutoff, int limit) throws SQLException {
        return memories(c, new Sql().append("SELECT " + COLUMNS + " FROM memories WHERE expires_at < ? ORDER BY expires_at"
                                                    + " LIMIT ? FOR UPDATE SKIP LOCKED", cutoff, limit));
    }

    /** Most matching rows each keyword side ranks. */
    static final int KEYWORD_SCAN = 1000;
    /** A tsquery OR-ing the query's lexemes (plain {@code websearch_to_tsquery} would AND them: too strict for recall). */
    private static final String TSQUERY = tsquery("|");

    private static String tsquery(String op) {
        return "(SELECT string_agg(quote_literal(l), ' " + op + " ') FROM unnest(tsvector_to_array("
                + "to_tsvector('english'::regconfig, ?))) l)::tsquery";
    }

    private static List<Memory> memories(Connection c, Sql sql) throws SQLException {
        List<Memory> out = new ArrayList<>();
        try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(memory(rs));
            }
        }
        return out;
    }

    static Memory memory(ResultSet rs) throws SQLException {
        return new Memory(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                          rs.getString(6), object(rs.getString(7)), rs.getFloat(8), instant(rs, 9), instant(rs, 10),
                          instant(rs, 11), rs.getInt(12));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static ObjectNode object(String json) {
        if (json == null) {
            return null;
        }
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
