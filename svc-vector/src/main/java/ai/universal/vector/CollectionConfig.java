package ai.universal.vector;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a collection is: its name, vector shape, HNSW parameters, storage, tenancy and optional text field.
 * Stored beside the index as {@code collection.json} in the native snake_case shape:
 * <pre>{"name":"docs","dimension":384,"distance":"cosine","m":16,"ef_construct":100,"ef_search":100,
 *  "storage":"float32","multi_tenant":false,"text_field":"body"}</pre>
 *
 * @param name        collection name, {@code [A-Za-z0-9_-]{1,64}}
 * @param dimension   vector length, 1 to {@value #MAX_DIMENSION}
 * @param distance    how vectors are compared
 * @param m           HNSW max connections per node
 * @param efConstruct HNSW beam width while building
 * @param efSearch    default candidate count while searching (a request's ef overrides it)
 * @param storage     float32 or quantized
 * @param multiTenant whether every point belongs to the caller's tenant
 * @param textField   payload key whose string value is indexed for BM25 (hybrid search), or null
 */
public record CollectionConfig(String name,
                               int dimension,
                               Distance distance,
                               int m,
                               int efConstruct,
                               int efSearch,
                               Storage storage,
                               boolean multiTenant,
                               String textField) {

    /** Largest vector dimension; Lucene's default of 1024 is raised by the registered vector formats. */
    public static final int MAX_DIMENSION = 4096;
    /** Default HNSW connections. */
    public static final int DEFAULT_M = 16;
    /** Default HNSW build beam width. */
    public static final int DEFAULT_EF_CONSTRUCT = 100;
    /** Default search candidate count. */
    public static final int DEFAULT_EF_SEARCH = 100;
    /** Largest allowed ef anywhere. */
    public static final int MAX_EF = 10_000;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * Checks every field; throws a bad request naming the first wrong one.
     */
    public CollectionConfig {
        checkName(name);
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw VectorException.badRequest("dimension must be between 1 and " + MAX_DIMENSION + ", got " + dimension);
        }
        if (distance == null) {
            throw VectorException.badRequest("distance is required: one of cosine, dot, euclidean, max_inner_product");
        }
        if (m < 2 || m > 512) {
            throw VectorException.badRequest("m must be between 2 and 512, got " + m);
        }
        if (efConstruct < 4 || efConstruct > 3200) {
            throw VectorException.badRequest("ef_construct must be between 4 and 3200, got " + efConstruct);
        }
        if (efSearch < 1 || efSearch > MAX_EF) {
            throw VectorException.badRequest("ef_search must be between 1 and " + MAX_EF + ", got " + efSearch);
        }
        if (storage == null) {
            storage = Storage.FLOAT32;
        }
        if (textField != null && textField.isBlank()) {
            textField = null;
        }
    }

    /**
     * A float32, single-tenant collection with default HNSW settings.
     *
     * @param name      name
     * @param dimension dimension
     * @param distance  distance
     * @return config
     */
    public static CollectionConfig of(String name, int dimension, Distance distance) {
        return new CollectionConfig(name, dimension, distance, DEFAULT_M, DEFAULT_EF_CONSTRUCT, DEFAULT_EF_SEARCH,
                                    Storage.FLOAT32, false, null);
    }

    /**
     * Validates a collection name.
     *
     * @param name the name
     */
    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw VectorException.badRequest("collection name must match [A-Za-z0-9_-]{1,64}, got '" + name + "'");
        }
    }

    /**
     * Reads the native JSON shape; absent optional fields take their defaults.
     *
     * @param name the collection name (from the path, not the body)
     * @param json the body
     * @return config
     */
    public static CollectionConfig fromJson(String name, JsonNode json) {
        if (json == null || !json.isObject()) {
            throw VectorException.badRequest("collection body must be a JSON object");
        }
        return new CollectionConfig(name,
                                    intField(json, "dimension", -1),
                                    Distance.parse(textOrNull(json, "distance")),
                                    intField(json, "m", DEFAULT_M),
                                    intField(json, "ef_construct", DEFAULT_EF_CONSTRUCT),
                                    intField(json, "ef_search", DEFAULT_EF_SEARCH),
                                    Storage.parse(textOrNull(json, "storage")),
                                    json.path("multi_tenant").asBoolean(false),
                                    textOrNull(json, "text_field"));
    }

    /**
     * The same config under another name (restoring a snapshot elsewhere).
     *
     * @param newName the name
     * @return config
     */
    public CollectionConfig withName(String newName) {
        return new CollectionConfig(newName, dimension, distance, m, efConstruct, efSearch, storage, multiTenant, textField);
    }

    /**
     * The native JSON shape.
     *
     * @return JSON object
     */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        o.put("dimension", dimension);
        o.put("distance", distance.wireName());
        o.put("m", m);
        o.put("ef_construct", efConstruct);
        o.put("ef_search", efSearch);
        o.put("storage", storage.wireName());
        o.put("multi_tenant", multiTenant);
        if (textField == null) {
            o.putNull("text_field");
        } else {
            o.put("text_field", textField);
        }
        return o;
    }

    private static int intField(JsonNode json, String field, int dflt) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            if (dflt < 0) {
                throw VectorException.badRequest(field + " is required");
            }
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw VectorException.badRequest(field + " must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static String textOrNull(JsonNode json, String field) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw VectorException.badRequest(field + " must be a string, got " + v);
        }
        return v.textValue();
    }
}
