package ai.universal.memory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads filters from a JSON object (search {@code filters}, delete body) or from query parameters (list, export,
 * delete), answering bad ones with a 400 naming the field:
 * <pre>
 * {"scope": "work" | ["work", "home"], "agent_id", "run_id",
 *  "created_after", "created_before", "updated_after", "updated_before",   RFC 3339 instants
 *  "include_expired": false,
 *  "metadata": condition}                                                    see {@link Condition}
 * </pre>
 * Query parameters carry the same names; {@code metadata} is the condition as JSON text, {@code scope} may repeat or be
 * comma-separated.
 */
final class FilterParser {
    static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9._:@/-]{1,128}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> LEAF_OPS = Set.of("eq", "ne", "in", "gt", "gte", "lt", "lte", "contains", "exists");
    private static final int MAX_DEPTH = 8;
    private static final int MAX_NODES = 64;
    private static final int MAX_IN = 100;
    private static final int MAX_PATH = 8;

    private FilterParser() {
    }

    /**
     * From a JSON object.
     *
     * @param node  object, or null/missing for no filter
     * @param field where it sits in the request, for error messages
     * @return filter
     */
    static MemoryFilter fromJson(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return MemoryFilter.NONE;
        }
        if (!node.isObject()) {
            throw bad(field, field + " must be an object");
        }
        List<String> scopes = null;
        JsonNode scope = node.get("scope");
        if (scope != null && !scope.isNull()) {
            scopes = new ArrayList<>();
            if (scope.isArray()) {
                for (JsonNode s : scope) {
                    scopes.add(scope(s.isTextual() ? s.asText() : null, field + ".scope"));
                }
                if (scopes.isEmpty()) {
                    throw bad(field + ".scope", field + ".scope must name at least one scope");
                }
            } else {
                scopes.add(scope(scope.isTextual() ? scope.asText() : null, field + ".scope"));
            }
        }
        JsonNode includeExpired = node.get("include_expired");
        if (includeExpired != null && !includeExpired.isNull() && !includeExpired.isBoolean()) {
            throw bad(field + ".include_expired", field + ".include_expired must be true or false");
        }
        JsonNode metadata = node.get("metadata");
        return new MemoryFilter(scopes,
                                text(node, "agent_id", field),
                                text(node, "run_id", field),
                                instant(text(node, "created_after", field), field + ".created_after"),
                                instant(text(node, "created_before", field), field + ".created_before"),
                                instant(text(node, "updated_after", field), field + ".updated_after"),
                                instant(text(node, "updated_before", field), field + ".updated_before"),
                                includeExpired != null && includeExpired.asBoolean(),
                                metadata == null || metadata.isNull() ? null : condition(metadata, field + ".metadata"));
    }

    /**
     * From query parameters.
     *
     * @param params all values of a parameter by name
     * @return filter
     */
    static MemoryFilter fromQuery(Function<String, List<String>> params) {
        List<String> scopes = null;
        List<String> raw = params.apply("scope");
        if (!raw.isEmpty()) {
            scopes = new ArrayList<>();
            for (String value : raw) {
                for (String s : value.split(",")) {
                    scopes.add(scope(s.trim(), "scope"));
                }
            }
        }
        Condition metadata = null;
        String json = first(params, "metadata");
        if (json != null) {
            try {
                metadata = condition(Json.MAPPER.readTree(json), "metadata");
            } catch (JsonProcessingException e) {
                throw bad("metadata", "metadata must be a JSON condition, e.g. {\"key\":\"topic\",\"eq\":\"food\"}");
            }
        }
        return new MemoryFilter(scopes, first(params, "agent_id"), first(params, "run_id"),
                                instant(first(params, "created_after"), "created_after"),
                                instant(first(params, "created_before"), "created_before"),
                                instant(first(params, "updated_after"), "updated_after"),
                                instant(first(params, "updated_before"), "updated_before"),
                                bool(first(params, "include_expired"), "include_expired"),
                                metadata);
    }

    /**
     * A metadata condition.
     *
     * @param node  JSON
     * @param field its path in the request
     * @return condition
     */
    static Condition condition(JsonNode node, String field) {
        int[] nodes = {0};
        return condition(node, field, 1, nodes);
    }

    static String scope(String value, String field) {
        if (value == null || !SCOPE.matcher(value).matches()) {
            throw bad(field, field + " must be 1 to 128 characters of letters, digits and . _ : @ / -");
        }
        return value;
    }

    static boolean bool(String value, String field) {
        if (value == null) {
            return false;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(field, field + " must be true or false");
        };
    }

    static Instant instant(String value, String field) {
        if (value == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw bad(field, field + " must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z");
        }
    }

    private static Condition condition(JsonNode node, String field, int depth, int[] nodes) {
        if (depth > MAX_DEPTH) {
            throw bad(field, "filter nests deeper than " + MAX_DEPTH + " levels");
        }
        if (++nodes[0] > MAX_NODES) {
            throw bad(field, "filter has more than " + MAX_NODES + " conditions");
        }
        if (!node.isObject() || node.isEmpty()) {
            throw bad(field, field + " must be a non-empty object");
        }
        if (node.has("and") || node.has("or")) {
            String op = node.has("and") ? "and" : "or";
            if (node.size() != 1) {
                throw bad(field, field + "." + op + " cannot be combined with other members in the same object");
            }
            JsonNode list = node.get(op);
            if (!list.isArray() || list.isEmpty()) {
                throw bad(field + "." + op, field + "." + op + " must be a non-empty array of conditions");
            }
            List<Condition> parts = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                parts.add(condition(list.get(i), field + "." + op + "[" + i + "]", depth + 1, nodes));
            }
            return op.equals("and") ? new Condition.All(parts) : new Condition.Any(parts);
        }
        if (node.has("not")) {
            if (node.size() != 1) {
                throw bad(field, field + ".not cannot be combined with other members in the same object");
            }
            return new Condition.Not(condition(node.get("not"), field + ".not", depth + 1, nodes));
        }
        if (node.has("key")) {
            return leaf(node, field);
        }
        List<Condition> all = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (e.getValue().isObject()) {
                throw bad(field + "." + e.getKey(), "shorthand conditions compare values; use {\"key\": \""
                        + e.getKey() + "\", \"eq\": …} or an operator object");
            }
            all.add(new Condition.Eq(path(e.getKey(), field), e.getValue()));
        }
        return all.size() == 1 ? all.get(0) : new Condition.All(all);
    }

    private static Condition leaf(JsonNode node, String field) {
        JsonNode keyNode = node.get("key");
        if (!keyNode.isTextual()) {
            throw bad(field + ".key", field + ".key must be a string such as \"topic\" or \"a.b\"");
        }
        List<String> path = path(keyNode.asText(), field + ".key");
        List<String> ops = new ArrayList<>();
        node.fieldNames().forEachRemaining(name -> {
            if (!name.equals("key")) {
                if (!LEAF_OPS.contains(name)) {
                    throw bad(field + "." + name, "unknown operator '" + name + "' in " + field
                            + " (use eq, ne, in, gt, gte, lt, lte, contains, exists)");
                }
                ops.add(name);
            }
        });
        if (ops.isEmpty()) {
            throw bad(field, field + " needs an operator: eq, ne, in, gt, gte, lt, lte, contains or exists");
        }
        boolean range = ops.stream().allMatch(o -> o.startsWith("g") || o.startsWith("l"));
        if (!range && ops.size() > 1) {
            throw bad(field, field + " has several operators " + ops + "; combine them with \"and\"");
        }
        if (range) {
            JsonNode gt = bound(node, "gt", field);
            JsonNode gte = bound(node, "gte", field);
            JsonNode lt = bound(node, "lt", field);
            JsonNode lte = bound(node, "lte", field);
            long numbers = Arrays.stream(new JsonNode[] {gt, gte, lt, lte}).filter(b -> b != null && b.isNumber()).count();
            if (numbers != 0 && numbers != ops.size()) {
                throw bad(field, field + " mixes number and string bounds");
            }
            return new Condition.Range(path, gt, gte, lt, lte);
        }
        String op = ops.get(0);
        JsonNode value = node.get(op);
        return switch (op) {
            case "eq" -> new Condition.Eq(path, value);
            case "ne" -> new Condition.Ne(path, value);
            case "in" -> {
                if (!value.isArray() || value.isEmpty() || value.size() > MAX_IN) {
                    throw bad(field + ".in", field + ".in must be an array of 1 to " + MAX_IN + " values");
                }
                List<JsonNode> values = new ArrayList<>();
                value.forEach(values::add);
                yield new Condition.In(path, values);
            }
            case "contains" -> {
                if (value.isContainerNode() || value.isNull()) {
                    throw bad(field + ".contains", field + ".contains must be a string, number or boolean");
                }
                yield new Condition.Contains(path, value);
            }
            case "exists" -> {
                if (!value.isBoolean()) {
                    throw bad(field + ".exists", field + ".exists must be true or false");
                }
                yield new Condition.Exists(path, value.asBoolean());
            }
            default -> throw new IllegalStateException(op);
        };
    }

    private static JsonNode bound(JsonNode node, String op, String field) {
        JsonNode b = node.get(op);
        if (b == null) {
            return null;
        }
        if (!b.isNumber() && !b.isTextual()) {
            throw bad(field + "." + op, field + "." + op + " must be a number or a string");
        }
        return b;
    }

    private static List<String> path(String key, String field) {
        String stripped = key.startsWith("metadata.") ? key.substring("metadata.".length()) : key;
        List<String> segments = List.of(stripped.split("\\.", -1));
        if (segments.size() > MAX_PATH || !segments.stream().allMatch(s -> SEGMENT.matcher(s).matches())) {
            throw bad(field, "key '" + key + "' must be up to " + MAX_PATH
                    + " dot-separated names of letters, digits, _ and -");
        }
        return segments;
    }

    private static String text(JsonNode node, String name, String field) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw bad(field + "." + name, field + "." + name + " must be a string");
        }
        return v.asText();
    }

    private static String first(Function<String, List<String>> params, String name) {
        List<String> values = params.apply(name);
        return values.isEmpty() ? null : values.get(0);
    }

    private static MemoryError bad(String field, String detail) {
        return MemoryError.badRequest("invalid_filter", field, detail);
    }
}
