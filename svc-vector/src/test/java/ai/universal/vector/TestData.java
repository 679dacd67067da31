package ai.universal.vector;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Generated data for domain tests: clustered random vectors and small payloads. */
final class TestData {

    static final ObjectMapper JSON = new ObjectMapper();

    private TestData() {
    }

    static float[][] clustered(int n, int dim, int clusters, long seed) {
        Random r = new Random(seed);
        float[][] centers = new float[clusters][dim];
        for (float[] c : centers) {
            for (int i = 0; i < dim; i++) {
                c[i] = (float) r.nextGaussian();
            }
        }
        float[][] out = new float[n][dim];
        for (int j = 0; j < n; j++) {
            float[] c = centers[r.nextInt(clusters)];
            for (int i = 0; i < dim; i++) {
                out[j][i] = c[i] + 0.35f * (float) r.nextGaussian();
            }
        }
        return out;
    }

    static List<Point> points(float[][] vectors, int firstId) {
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < vectors.length; i++) {
            out.add(new Point(PointId.of(firstId + i), vectors[i], payload("{\"n\":" + (firstId + i) + "}")));
        }
        return out;
    }

    static ObjectNode payload(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    static com.fasterxml.jackson.databind.JsonNode json(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    static float[] vec(float... v) {
        return v;
    }
}
