package ai.universal.vector;

import java.math.BigInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A point's id: an unsigned 64-bit integer or a string (Qdrant allows integers and UUIDs).
 * The index key sorts integers numerically and before every string, which is the order scroll pages follow.
 *
 * @param value   the decimal digits of an integer id, or the string id
 * @param numeric whether the id is an integer
 */
public record PointId(String value, boolean numeric) implements Comparable<PointId> {

    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final int MAX_STRING = 256;
    private static final int DIGITS = 20;

    /**
     * Reads an id from JSON: a non-negative integer below 2^64 or a non-empty string of at most 256 characters.
     *
     * @param json the id node
     * @return id
     */
    public static PointId fromJson(JsonNode json) {
        if (json == null || json.isNull()) {
            throw VectorException.badRequest("point id is required");
        }
        if (json.isIntegralNumber()) {
            BigInteger v = json.bigIntegerValue();
            if (v.signum() < 0 || v.compareTo(MAX_U64) > 0) {
                throw VectorException.badRequest("point id must be an unsigned 64-bit integer or a string, got " + v);
            }
            return new PointId(v.toString(), true);
        }
        if (json.isTextual()) {
            return ofString(json.textValue());
        }
        throw VectorException.badRequest("point id must be an unsigned integer or a string, got " + json);
    }

    /**
     * A string id.
     *
     * @param s the id
     * @return id
     */
    public static PointId ofString(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_STRING) {
            throw VectorException.badRequest("string point id must have 1 to " + MAX_STRING + " characters");
        }
        return new PointId(s, false);
    }

    /**
     * An integer id.
     *
     * @param n a non-negative number
     * @return id
     */
    public static PointId of(long n) {
        if (n < 0) {
            throw VectorException.badRequest("point id must be unsigned, got " + n);
        }
        return new PointId(Long.toString(n), true);
    }

    /**
     * Decodes an index key.
     *
     * @param key key from {@link #key()}
     * @return id
     */
    public static PointId fromKey(String key) {
        if (key.charAt(0) == '0') {
            return new PointId(new BigInteger(key.substring(1)).toString(), true);
        }
        return new PointId(key.substring(1), false);
    }

    /**
     * The sortable index key: {@code 0} + 20 zero-padded digits, or {@code 1} + the string.
     *
     * @return key
     */
    public String key() {
        if (numeric) {
            return "0" + "0".repeat(DIGITS - value.length()) + value;
        }
        return "1" + value;
    }

    /**
     * The id as JSON: a number or a string.
     *
     * @return node
     */
    public JsonNode toJson() {
        return numeric ? JsonNodeFactory.instance.numberNode(new BigInteger(value)) : JsonNodeFactory.instance.textNode(value);
    }

    @Override
    public int compareTo(PointId o) {
        return key().compareTo(o.key());
    }

    @Override
    public String toString() {
        return numeric ? value : '"' + value + '"';
    }
}
