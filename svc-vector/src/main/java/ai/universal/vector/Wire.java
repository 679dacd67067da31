package ai.universal.vector;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.universal.kit.http.ProblemException;

import io.helidon.webserver.http.Handler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON to domain and back, shared by the native and the Qdrant API, and the one place where domain refusals
 * become HTTP errors (400, 403, 404, 409, 413).
 */
final class Wire {

    private Wire() {
    }

    /**
     * Runs a handler, turning domain refusals into problems (the kit writes them in the path's error style).
     *
     * @param handler handler
     * @return handler
     */
    static Handler domain(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (VectorException e) {
                throw problem(e);
            }
        };
    }

    /**
     * The HTTP problem for a domain refusal.
     *
     * @param e refusal
     * @return problem exception
     */
    static ProblemException problem(VectorException e) {
        return switch (e.kind()) {
            case BAD_REQUEST -> ProblemException.badRequest(e.getMessage());
            case NOT_FOUND -> ProblemException.notFound(e.getMessage());
            case CONFLICT -> ProblemException.conflict("conflict", e.getMessage());
            case TOO_LARGE -> ProblemException.of(413, "too_large", "Too large", e.getMessage());
            case FORBIDDEN -> ProblemException.forbidden(e.getMessage());
        };
    }

    /**
     * Points from a JSON array of {@code {"id", "vector", "payload"}}.
     *
     * @param array the array
     * @param what  its name in messages
     * @return points
     */
    static List<Point> points(JsonNode array, String what) {
        if (array == null || !array.isArray()) {
            throw VectorException.badRequest(what + " must be an array of points");
        }
        List<Point> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode p = array.get(i);
            String at = what + "[" + i + "]";
            if (!p.isObject()) {
                throw VectorException.badRequest(at + " must be an object with id, vector and payload");
            }
            out.add(new Point(id(p.get("id"), at + ".id"), Vectors.fromJson(p.get("vector"), at + ".vector"),
                              payload(p.get("payload"), at + ".payload")));
        }
        return out;
    }

    /**
     * A payload: a JSON object, or null / absent for none.
     *
     * @param node node
     * @param what name
     * @return payload or null
     */
    static ObjectNode payload(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw VectorException.badRequest(what + " must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * A point id.
     *
     * @param node node
     * @param what name
     * @return id
     */
    static PointId id(JsonNode node, String what) {
        try {
            return PointId.fromJson(node);
        } catch (VectorException e) {
            throw VectorException.badRequest(what + ": " + e.getMessage());
        }
    }

    /**
     * Ids from a JSON array.
     *
     * @param array array
     * @param what  name
     * @return ids
     */
    static List<PointId> ids(JsonNode array, String what) {
        if (array == null || !array.isArray()) {
            throw VectorException.badRequest(what + " must be an array of ids");
        }
        List<PointId> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(id(array.get(i), what + "[" + i + "]"));
        }
        return out;
    }

    /**
     * An optional integer field.
     *
     * @param body  object
     * @param field field
     * @param dflt  default when absent
     * @return value
     */
    static int integer(JsonNode body, String field, int dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw VectorException.badRequest(field + " must be an integer, got " + v);
        }
        return v.intValue();
    }

    /**
     * An optional integer field that may be absent.
     *
     * @param body  object
     * @param field field
     * @return value or null
     */
    static Integer optionalInteger(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : integer(body, field, 0);
    }

    /**
     * An optional number field.
     *
     * @param body  object
     * @param field field
     * @return value or null
     */
    static Float optionalFloat(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw VectorException.badRequest(field + " must be a number, got " + v);
        }
        return v.floatValue();
    }

    /**
     * An optional boolean field.
     *
     * @param body  object
     * @param field field
     * @param dflt  default
     * @return value
     */
    static boolean bool(JsonNode body, String field, boolean dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw VectorException.badRequest(field + " must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    /**
     * The request body as an object ({@code {}} when empty is allowed by the caller).
     *
     * @param body parsed body
     * @return the object
     */
    static JsonNode object(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!body.isObject()) {
            throw VectorException.badRequest("request body must be a JSON object");
        }
        return body;
    }

    /**
     * Qdrant's payload selector: {@code true}/{@code false}, a list of keys to include, or
     * {@code {"include": [...]}} / {@code {"exclude": [...]}}.
     *
     * @param node selector
     * @param dflt default when absent
     * @return selector
     */
    static PayloadSelector payloadSelector(JsonNode node, boolean dflt) {
        if (node == null || node.isNull()) {
            return dflt ? PayloadSelector.ALL : PayloadSelector.NONE;
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? PayloadSelector.ALL : PayloadSelector.NONE;
        }
        if (node.isArray()) {
            return new PayloadSelector(true, keys(node, "with_payload"), Set.of());
        }
        if (node.isObject() && node.has("include")) {
            return new PayloadSelector(true, keys(node.get("include"), "with_payload.include"), Set.of());
        }
        if (node.isObject() && node.has("exclude")) {
            return new PayloadSelector(true, null, keys(node.get("exclude"), "with_payload.exclude"));
        }
        throw VectorException.badRequest("with_payload must be a boolean, a list of keys, or {include} / {exclude}");
    }

    private static Set<String> keys(JsonNode array, String what) {
        if (array == null || !array.isArray()) {
            throw VectorException.badRequest(what + " must be an array of keys");
        }
        Set<String> out = new java.util.LinkedHashSet<>();
        for (JsonNode k : array) {
            if (!k.isTextual()) {
                throw VectorException.badRequest(what + " must contain strings, got " + k);
            }
            out.add(k.textValue());
        }
        return out;
    }

    /**
     * Which payload keys to return.
     *
     * @param enabled whether payloads are returned at all
     * @param include keys to keep, or null for all
     * @param exclude keys to drop
     */
    record PayloadSelector(boolean enabled, Set<String> include, Set<String> exclude) {
        static final PayloadSelector ALL = new PayloadSelector(true, null, Set.of());
        static final PayloadSelector NONE = new PayloadSelector(false, null, Set.of());

        ObjectNode apply(ObjectNode payload) {
            if (payload == null || (include == null && exclude.isEmpty())) {
                return payload;
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = payload.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if ((include == null || include.contains(e.getKey())) && !exclude.contains(e.getKey())) {
                    out.set(e.getKey(), e.getValue());
                }
            }
            return out;
        }
    }
}
