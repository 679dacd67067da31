package ai.universal.vector;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A k-nearest-neighbour search.
 *
 * @param vector         query vector
 * @param limit          hits to return (k), 1 to {@value Collection#MAX_LIMIT}
 * @param offset         hits to skip first
 * @param filter         payload filter (JSON, see FilterParser) or null
 * @param scoreThreshold keep hits scoring at least this (at most, for euclidean distance), or null
 * @param ef             HNSW candidate count, or null for the collection's ef_search
 * @param withPayload    return payloads
 * @param withVector     return vectors
 */
public record SearchRequest(float[] vector, int limit, int offset, JsonNode filter, Float scoreThreshold, Integer ef,
                            boolean withPayload, boolean withVector) {

    /**
     * A plain top-k search returning payloads.
     *
     * @param vector query
     * @param limit  k
     * @return request
     */
    public static SearchRequest of(float[] vector, int limit) {
        return new SearchRequest(vector, limit, 0, null, null, null, true, false);
    }

    /**
     * The same search with a filter.
     *
     * @param f filter JSON
     * @return request
     */
    public SearchRequest withFilter(JsonNode f) {
        return new SearchRequest(vector, limit, offset, f, scoreThreshold, ef, withPayload, withVector);
    }
}
