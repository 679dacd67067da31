package ai.universal.vector;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A hybrid search: BM25 over the collection's text field and kNN over the vector, fused by reciprocal rank fusion.
 * With equal weights the fusion is Lucene's {@code TopDocs.rrf}; otherwise each list's contribution
 * {@code 1 / (rrfK + rank)} is multiplied by its weight.
 *
 * @param text         query text (BM25)
 * @param vector       query vector (kNN)
 * @param limit        hits to return
 * @param filter       payload filter or null
 * @param vectorWeight weight of the kNN list
 * @param textWeight   weight of the BM25 list
 * @param rrfK         rank constant (60 is the usual choice)
 * @param candidates   hits taken from each list before fusing
 * @param withPayload  return payloads
 * @param withVector   return vectors
 */
public record HybridRequest(String text, float[] vector, int limit, JsonNode filter, float vectorWeight, float textWeight,
                            int rrfK, int candidates, boolean withPayload, boolean withVector) {

    /** Usual RRF rank constant. */
    public static final int DEFAULT_RRF_K = 60;

    /**
     * Equal weights, k = 60, 100 candidates per list, payloads returned.
     *
     * @param text   text
     * @param vector vector
     * @param limit  hits
     * @return request
     */
    public static HybridRequest of(String text, float[] vector, int limit) {
        return new HybridRequest(text, vector, limit, null, 1f, 1f, DEFAULT_RRF_K, Math.max(limit, 100), true, false);
    }
}
