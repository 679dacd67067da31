package ai.universal.vector;

import java.util.Locale;

/**
 * How vectors are kept in the HNSW index: full floats or scalar-quantized (Lucene 10.4's optimized scalar quantization).
 * Quantized collections still keep the raw floats on disk; hits are re-scored against them.
 */
public enum Storage {
    /** 4 bytes per dimension. */
    FLOAT32,
    /** 1 byte per dimension. */
    INT8,
    /** Half a byte per dimension. */
    INT4;

    /**
     * Parses float32, int8 or int4.
     *
     * @param name the name, case-insensitive; null means float32
     * @return storage
     */
    public static Storage parse(String name) {
        if (name == null) {
            return FLOAT32;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "float32", "float" -> FLOAT32;
            case "int8", "uint8" -> INT8;
            case "int4" -> INT4;
            default -> throw VectorException.badRequest("unknown storage '" + name + "': use one of float32, int8, int4");
        };
    }

    /**
     * The native name.
     *
     * @return lower-case name
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
