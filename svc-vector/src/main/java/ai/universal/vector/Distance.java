package ai.universal.vector;

import java.util.Locale;

import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;

/**
 * How two vectors are compared. Scores returned to callers are the raw measure, not Lucene's scaled score:
 * cosine similarity, dot product, or euclidean distance (where smaller is closer).
 * <ul>
 *     <li>{@code cosine}: vectors are normalized on the way in (as Qdrant does) and compared by dot product</li>
 *     <li>{@code dot}: the caller promises unit-length vectors; checked on the way in</li>
 *     <li>{@code euclidean}: L2 distance</li>
 *     <li>{@code max_inner_product}: raw dot product of vectors of any length</li>
 * </ul>
 */
public enum Distance {
    /** Cosine similarity. */
    COSINE(VectorSimilarityFunction.DOT_PRODUCT),
    /** Dot product of unit vectors. */
    DOT(VectorSimilarityFunction.DOT_PRODUCT),
    /** Euclidean distance. */
    EUCLIDEAN(VectorSimilarityFunction.EUCLIDEAN),
    /** Dot product of vectors of any length. */
    MAX_INNER_PRODUCT(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT);

    private static final float UNIT_TOLERANCE = 1e-3f;

    private final VectorSimilarityFunction lucene;

    Distance(VectorSimilarityFunction lucene) {
        this.lucene = lucene;
    }

    /**
     * Parses a native name: cosine, dot, euclidean (or euclid, l2), max_inner_product (or max-inner-product, mip).
     *
     * @param name the name, case-insensitive
     * @return the distance
     */
    public static Distance parse(String name) {
        if (name == null) {
            throw VectorException.badRequest("distance is required: one of cosine, dot, euclidean, max_inner_product");
        }
        return switch (name.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "cosine" -> COSINE;
            case "dot" -> DOT;
            case "euclidean", "euclid", "l2" -> EUCLIDEAN;
            case "max_inner_product", "mip" -> MAX_INNER_PRODUCT;
            default -> throw VectorException.badRequest("unknown distance '" + name
                    + "': use one of cosine, dot, euclidean, max_inner_product");
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

    /**
     * Lucene's similarity function for this distance.
     *
     * @return function
     */
    public VectorSimilarityFunction lucene() {
        return lucene;
    }

    /**
     * Whether a larger score is closer (similarities) or a smaller one (distances).
     *
     * @return true for similarities
     */
    public boolean higherIsCloser() {
        return this != EUCLIDEAN;
    }

    /**
     * Brings a caller's vector into the form stored in the index: normalized for cosine, checked for dot.
     *
     * @param vector the vector, already checked for dimension and finiteness; not modified
     * @param what   what to call the vector in a message
     * @return the vector to index or search with
     */
    public float[] prepare(float[] vector, String what) {
        if (this == COSINE) {
            double norm = Math.sqrt(VectorUtil.dotProduct(vector, vector));
            if (norm == 0) {
                throw VectorException.badRequest(what + " has zero length; cosine distance needs a non-zero vector");
            }
            float[] out = new float[vector.length];
            for (int i = 0; i < vector.length; i++) {
                out[i] = (float) (vector[i] / norm);
            }
            return out;
        }
        if (this == DOT) {
            float norm2 = VectorUtil.dotProduct(vector, vector);
            if (Math.abs(norm2 - 1f) > UNIT_TOLERANCE * 2) {
                throw VectorException.badRequest(what + " is not unit length (|v| = " + (float) Math.sqrt(norm2)
                        + "); distance dot needs normalized vectors, use max_inner_product for others");
            }
        }
        return vector;
    }

    /**
     * The exact score returned to callers for two prepared vectors.
     *
     * @param query  prepared query vector
     * @param stored stored vector
     * @return cosine similarity, dot product or euclidean distance
     */
    public float score(float[] query, float[] stored) {
        return switch (this) {
            case COSINE, DOT, MAX_INNER_PRODUCT -> VectorUtil.dotProduct(query, stored);
            case EUCLIDEAN -> (float) Math.sqrt(VectorUtil.squareDistance(query, stored));
        };
    }

    /**
     * Whether a score passes a threshold: at least it for similarities, at most it for distances.
     *
     * @param score     the score
     * @param threshold the threshold
     * @return true when the hit is kept
     */
    public boolean passes(float score, float threshold) {
        return higherIsCloser() ? score >= threshold : score <= threshold;
    }
}
