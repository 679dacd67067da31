package ai.universal.vector;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A search hit.
 *
 * @param id      id
 * @param score   cosine similarity / dot product / euclidean distance, or the fused score of a hybrid search
 * @param vector  vector when requested, else null
 * @param payload payload when requested, else null
 */
public record ScoredPoint(PointId id, float score, float[] vector, ObjectNode payload) {
}
