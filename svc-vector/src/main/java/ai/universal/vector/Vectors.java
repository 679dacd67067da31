package ai.universal.vector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * Reads and writes vectors as JSON arrays of numbers, with messages that say which component is wrong.
 */
public final class Vectors {

    private Vectors() {
    }

    /**
     * Reads a JSON array of numbers.
     *
     * @param json the array
     * @param what how to name it in a message ("points[3].vector")
     * @return the vector; dimension and finiteness are checked by the collection
     */
    public static float[] fromJson(JsonNode json, String what) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            throw VectorException.badRequest(what + " is required");
        }
        if (!json.isArray()) {
            throw VectorException.badRequest(what + " must be an array of numbers, got " + kind(json));
        }
        float[] v = new float[json.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode c = json.get(i);
            if (c.isNumber()) {
                v[i] = c.floatValue();
            } else if (c.isTextual() && (c.textValue().equals("NaN") || c.textValue().contains("Infinity"))) {
                v[i] = Float.NaN;
            } else {
                throw VectorException.badRequest(what + "[" + i + "] must be a number, got " + c);
            }
        }
        return v;
    }

    /**
     * Checks a vector's dimension and components.
     *
     * @param v         vector
     * @param dimension expected dimension
     * @param what      how to name it
     */
    public static void check(float[] v, int dimension, String what) {
        if (v == null) {
            throw VectorException.badRequest(what + " is required");
        }
        if (v.length != dimension) {
            throw VectorException.badRequest(what + " has dimension " + v.length + " but the collection has dimension "
                    + dimension);
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw VectorException.badRequest(what + "[" + i + "] is " + v[i] + "; components must be finite numbers");
            }
        }
    }

    /**
     * Writes a vector as a JSON array.
     *
     * @param v vector
     * @return array node
     */
    public static ArrayNode toJson(float[] v) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode(v.length);
        for (float f : v) {
            a.add(f);
        }
        return a;
    }

    private static String kind(JsonNode n) {
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
