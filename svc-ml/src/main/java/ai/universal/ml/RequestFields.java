package ai.universal.ml;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Strict reading of svc-ml's JSON request fields: a text is a non-blank JSON string, never null, a number or an
 * object; a list is a non-empty JSON array of such texts. Every failure names the field.
 */
final class RequestFields {

    private final JsonNode body;

    RequestFields(JsonNode body) {
        if (!body.isObject()) {
            throw RequestErrors.wrongType("body", "a JSON object");
        }
        this.body = body;
    }

    /** A required text. */
    String text(String field, int maxChars) {
        JsonNode node = body.get(field);
        if (node == null) {
            throw RequestErrors.missing(field);
        }
        return text(node, field, maxChars);
    }

    /** A required text, or a non-empty array of texts: OpenAI's {@code input}. */
    List<String> texts(String field, int maxItems, int maxChars) {
        JsonNode node = body.get(field);
        if (node == null) {
            throw RequestErrors.missing(field);
        }
        if (node.isTextual()) {
            return List.of(text(node, field, maxChars));
        }
        return array(field, node, maxItems, maxChars);
    }

    /** A required non-empty array of texts. */
    List<String> array(String field, int maxItems, int maxChars) {
        JsonNode node = body.get(field);
        if (node == null) {
            throw RequestErrors.missing(field);
        }
        return array(field, node, maxItems, maxChars);
    }

    /** Whether a field is present and not JSON null. */
    boolean has(String field) {
        JsonNode node = body.get(field);
        return node != null && !node.isNull();
    }

    /** An optional string; null when absent or JSON null. */
    String optionalString(String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw RequestErrors.wrongType(field, "a string");
        }
        return node.asText();
    }

    /** An optional boolean. */
    boolean bool(String field, boolean defaultValue) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (!node.isBoolean()) {
            throw RequestErrors.wrongType(field, "a boolean");
        }
        return node.asBoolean();
    }

    /** An optional integer. */
    int integer(String field, int defaultValue) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw RequestErrors.wrongType(field, "an integer");
        }
        return node.asInt();
    }

    private static List<String> array(String field, JsonNode node, int maxItems, int maxChars) {
        if (!node.isArray()) {
            throw RequestErrors.wrongType(field, "a string or an array of strings");
        }
        if (node.isEmpty()) {
            throw RequestErrors.empty(field);
        }
        if (node.get(0).isNumber() || node.get(0).isArray()) {
            throw RequestErrors.wrongType(field, "text: token arrays are not accepted, since token ids from another "
                    + "tokenizer mean nothing to this model");
        }
        if (node.size() > maxItems) {
            throw RequestErrors.tooMany(field, node.size(), maxItems);
        }
        List<String> texts = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            texts.add(text(node.get(i), field + "[" + i + "]", maxChars));
        }
        return texts;
    }

    private static String text(JsonNode node, String field, int maxChars) {
        if (!node.isTextual()) {
            throw RequestErrors.wrongType(field, "a string" + (node.isNull() ? ", not null" : ""));
        }
        String text = node.asText();
        if (text.isBlank()) {
            throw RequestErrors.empty(field);
        }
        if (text.length() > maxChars) {
            throw RequestErrors.tooLong(field, "'" + field + "' has " + text.length() + " characters; at most "
                    + maxChars + " are accepted");
        }
        return text;
    }

    /** Fails on the first label seen twice. */
    static void requireDistinct(String field, List<String> values) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            if (!seen.add(values.get(i))) {
                throw RequestErrors.duplicate(field + "[" + i + "]", "'" + values.get(i) + "' appears more than once in '"
                        + field + "'");
            }
        }
    }
}
