package ai.universal.kit.http;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;

/**
 * The one JSON mapper of the platform and the one way to read a JSON request body: it answers 415 for a body that
 * is not JSON, 400 for an empty or malformed one and for a value of the wrong type (with the field's path), so a
 * handler only validates meaning. Unknown fields are ignored (clients of compatible APIs send extensions).
 */
public final class Json {
    /** Shared mapper: ISO-8601 instants, unknown fields ignored, Optional support. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Json() {
    }

    /**
     * Read the request body as a type.
     *
     * @param req  request
     * @param type target type (a record)
     * @param <T>  type
     * @return the value, never null
     */
    public static <T> T read(ServerRequest req, Class<T> type) {
        return convert(tree(req), type);
    }

    /**
     * Convert a tree to a type, answering 400 with the offending field's path when a value has the wrong type.
     *
     * @param node tree
     * @param type target type
     * @param <T>  type
     * @return the value
     */
    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (MismatchedInputException e) {
            String field = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                    .orElse("body");
            String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
            throw new ProblemException(new Problem(400, "wrong_type", "Bad Request",
                                                   "Field '" + field + "' must be " + expected, null,
                                                   java.util.Map.of("errors", java.util.List.of(
                                                           java.util.Map.of("field", field, "detail", "must be " + expected)))));
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("Request body does not fit: " + e.getOriginalMessage());
        }
    }

    private static String describe(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    /**
     * Read the request body as a JSON tree.
     *
     * @param req request
     * @return the tree, never null nor JSON null
     */
    public static JsonNode tree(ServerRequest req) {
        requireJson(req);
        try (InputStream in = req.content().inputStream()) {
            JsonNode node = MAPPER.readTree(in);
            if (node == null || node.isMissingNode() || node.isNull()) {
                throw ProblemException.badRequest("Request body is required: send a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("Request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest("Request body could not be read: " + e.getMessage());
        }
    }

    /**
     * Answer 415 unless the request declares a JSON body.
     *
     * @param req request
     */
    public static void requireJson(ServerRequest req) {
        var contentType = req.headers().contentType();
        if (contentType.isEmpty()) {
            if (!req.content().hasEntity()) {
                throw ProblemException.badRequest("Request body is required: send a JSON object");
            }
            throw new ProblemException(Problem.of(415, "unsupported_media_type", "Unsupported Media Type",
                                                  "Send the body as application/json"));
        }
        HttpMediaType type = contentType.get();
        String subtype = type.mediaType().subtype();
        if (!type.mediaType().type().equals("application") || !(subtype.equals("json") || subtype.endsWith("+json"))) {
            throw new ProblemException(Problem.of(415, "unsupported_media_type", "Unsupported Media Type",
                                                  "Content-Type " + req.headers().get(HeaderNames.CONTENT_TYPE).get()
                                                          + " is not supported here; send application/json"));
        }
    }

    /**
     * Serialize to bytes.
     *
     * @param value value
     * @return UTF-8 JSON
     */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize " + value.getClass(), e);
        }
    }
}
