package ai.universal.memory;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A condition on a memory's metadata, as {@link FilterParser} reads it:
 * <pre>
 * {"and": [c, …]}   {"or": [c, …]}   {"not": c}
 * {"key": "a.b", "eq": v}       equal (v any JSON value)
 * {"key": "a.b", "ne": v}       not equal (a missing key is not equal)
 * {"key": "a.b", "in": [v, …]}  equal to one of them
 * {"key": "a.b", "gt"|"gte"|"lt"|"lte": n or "text", …}   range: numbers, or strings compared as text (ISO dates)
 * {"key": "a.b", "contains": v} an array holding v, or a string holding the substring v
 * {"key": "a.b", "exists": true|false}
 * {"color": "red", "size": 3}   shorthand: all of these keys equal
 * </pre>
 */
sealed interface Condition {

    /**
     * All must hold.
     *
     * @param conditions conditions
     */
    record All(List<Condition> conditions) implements Condition {
    }

    /**
     * At least one must hold.
     *
     * @param conditions conditions
     */
    record Any(List<Condition> conditions) implements Condition {
    }

    /**
     * Must not hold.
     *
     * @param condition condition
     */
    record Not(Condition condition) implements Condition {
    }

    /**
     * Equal.
     *
     * @param path  metadata path segments
     * @param value value
     */
    record Eq(List<String> path, JsonNode value) implements Condition {
    }

    /**
     * Not equal.
     *
     * @param path  path
     * @param value value
     */
    record Ne(List<String> path, JsonNode value) implements Condition {
    }

    /**
     * One of.
     *
     * @param path   path
     * @param values values
     */
    record In(List<String> path, List<JsonNode> values) implements Condition {
    }

    /**
     * Range; unset bounds are null. All bounds are numbers, or all are strings.
     *
     * @param path path
     * @param gt   greater than
     * @param gte  greater or equal
     * @param lt   less than
     * @param lte  less or equal
     */
    record Range(List<String> path, JsonNode gt, JsonNode gte, JsonNode lt, JsonNode lte) implements Condition {
        boolean numeric() {
            for (JsonNode b : new JsonNode[] {gt, gte, lt, lte}) {
                if (b != null) {
                    return b.isNumber();
                }
            }
            return true;
        }
    }

    /**
     * Array element or substring.
     *
     * @param path  path
     * @param value value
     */
    record Contains(List<String> path, JsonNode value) implements Condition {
    }

    /**
     * Key present (or absent).
     *
     * @param path    path
     * @param present whether it must be present
     */
    record Exists(List<String> path, boolean present) implements Condition {
    }
}
