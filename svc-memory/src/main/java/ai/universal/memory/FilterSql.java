package ai.universal.memory;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns a {@link MemoryFilter} into a SQL condition on the {@code memories} table (alias-free), always starting with the
 * owner: no filter can reach another user's rows. Metadata paths are validated names bound as {@code text[]}
 * parameters; every leaf is wrapped in {@code COALESCE(…, false)} so {@code not} means "the condition does not hold",
 * missing keys included.
 */
final class FilterSql {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private FilterSql() {
    }

    /**
     * The WHERE condition for an owner's memories.
     *
     * @param owner  owner
     * @param filter filter
     * @param now    the time expiry is judged at
     * @return condition (without the WHERE keyword)
     */
    static Sql where(String owner, MemoryFilter filter, Instant now) {
        Sql sql = new Sql().append("owner = ?", owner);
        if (filter.scopes() != null) {
            sql.append(" AND scope = ANY(?)", (Object) filter.scopes().toArray(String[]::new));
        }
        if (filter.agentId() != null) {
            sql.append(" AND agent_id = ?", filter.agentId());
        }
        if (filter.runId() != null) {
            sql.append(" AND run_id = ?", filter.runId());
        }
        if (filter.createdAfter() != null) {
            sql.append(" AND created_at >= ?", filter.createdAfter());
        }
        if (filter.createdBefore() != null) {
            sql.append(" AND created_at < ?", filter.createdBefore());
        }
        if (filter.updatedAfter() != null) {
            sql.append(" AND updated_at >= ?", filter.updatedAfter());
        }
        if (filter.updatedBefore() != null) {
            sql.append(" AND updated_at < ?", filter.updatedBefore());
        }
        if (!filter.includeExpired()) {
            sql.append(" AND (expires_at IS NULL OR expires_at > ?)", now);
        }
        if (filter.metadata() != null) {
            sql.append(" AND ").append(condition(filter.metadata()));
        }
        return sql;
    }

    static Sql condition(Condition c) {
        return switch (c) {
            case Condition.All all -> join(all.conditions(), " AND ");
            case Condition.Any any -> join(any.conditions(), " OR ");
            case Condition.Not not -> new Sql().append("NOT (").append(condition(not.condition())).append(")");
            case Condition.Eq eq -> new Sql().append("COALESCE(metadata @> ?::jsonb AND metadata #> ?::text[] = ?::jsonb, false)",
                                                     contained(eq.path(), eq.value()), path(eq.path()), json(eq.value()));
            case Condition.Ne ne -> new Sql().append("(metadata #> ?::text[] IS DISTINCT FROM ?::jsonb)",
                                                     path(ne.path()), json(ne.value()));
            case Condition.In in -> {
                Sql sql = new Sql().append("COALESCE(metadata #> ?::text[] IN (", path(in.path()));
                for (int i = 0; i < in.values().size(); i++) {
                    sql.append(i == 0 ? "?::jsonb" : ", ?::jsonb", json(in.values().get(i)));
                }
                yield sql.append("), false)");
            }
            case Condition.Range r -> range(r);
            case Condition.Contains k -> {
                ArrayNode element = JSON.arrayNode().add(k.value());
                yield new Sql().append("COALESCE(CASE jsonb_typeof(metadata #> ?::text[]) "
                                               + "WHEN 'array' THEN metadata #> ?::text[] @> ?::jsonb "
                                               + "WHEN 'string' THEN strpos(metadata #>> ?::text[], ?) > 0 "
                                               + "ELSE false END, false)",
                                       path(k.path()), path(k.path()), json(element), path(k.path()),
                                       k.value().isTextual() ? k.value().asText() : k.value().toString());
            }
            case Condition.Exists e -> new Sql().append(e.present() ? "(metadata #> ?::text[] IS NOT NULL)"
                                                                    : "(metadata #> ?::text[] IS NULL)", path(e.path()));
        };
    }

    private static Sql range(Condition.Range r) {
        boolean numeric = r.numeric();
        String value = numeric
                ? "(CASE WHEN jsonb_typeof(metadata #> ?::text[]) = 'number' THEN (metadata #> ?::text[])::numeric END)"
                : "(CASE WHEN jsonb_typeof(metadata #> ?::text[]) = 'string' THEN metadata #>> ?::text[] END)";
        Sql sql = new Sql().append("COALESCE(true");
        String p = path(r.path());
        bound(sql, value, p, " > ", r.gt(), numeric);
        bound(sql, value, p, " >= ", r.gte(), numeric);
        bound(sql, value, p, " < ", r.lt(), numeric);
        bound(sql, value, p, " <= ", r.lte(), numeric);
        return sql.append(", false)");
    }

    private static void bound(Sql sql, String value, String path, String op, JsonNode bound, boolean numeric) {
        if (bound == null) {
            return;
        }
        if (numeric) {
            sql.append(" AND " + value + op + "?", path, path, new BigDecimal(bound.asText()));
        } else {
            sql.append(" AND " + value + op + "? COLLATE \"C\"", path, path, bound.asText());
        }
    }

    private static Sql join(List<Condition> parts, String op) {
        Sql sql = new Sql().append("(");
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                sql.append(op);
            }
            sql.append(condition(parts.get(i)));
        }
        return sql.append(")");
    }

    private static String contained(List<String> path, JsonNode value) {
        JsonNode node = value;
        for (int i = path.size() - 1; i >= 0; i--) {
            ObjectNode wrap = JSON.objectNode();
            wrap.set(path.get(i), node);
            node = wrap;
        }
        return json(node);
    }

    private static String path(List<String> path) {
        return "{" + String.join(",", path) + "}";
    }

    private static String json(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
