package ai.universal.vector;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A stored point: id, vector and payload.
 *
 * @param id      id
 * @param vector  vector (normalized when the collection uses cosine); null when not requested
 * @param payload JSON object payload (may be empty); null when not requested
 */
public record Point(PointId id, float[] vector, ObjectNode payload) {
}
