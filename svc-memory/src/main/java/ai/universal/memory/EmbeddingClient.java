package ai.universal.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.http.Method;

/**
 * Embeddings from svc-ml ({@code POST /v1/embeddings}, OpenAI's format): one call per list of texts, vectors back in
 * input order, unit length (svc-ml normalizes them), so a dot product is the cosine.
 */
final class EmbeddingClient {
    private static final int CHUNK = 64;

    private final Upstream ml;
    private final String model;
    private final int dimension;

    EmbeddingClient(Upstream ml, String model, int dimension) {
        this.ml = ml;
        this.model = model;
        this.dimension = dimension;
    }

    String model() {
        return model;
    }

    /**
     * Embed texts.
     *
     * @param texts texts
     * @return vectors in input order
     * @throws Upstream.UnavailableException when svc-ml cannot answer
     */
    List<float[]> embed(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += CHUNK) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + CHUNK));
            // base64 (little-endian float32, OpenAI's encoding): the exact floats, a third of the bytes of decimal text,
            // and no number formatting or parsing on either side
            JsonNode body = ml.require(Method.POST, "/v1/embeddings", Map.of("input", chunk, "model", model,
                                                                              "encoding_format", "base64"));
            float[][] vectors = new float[chunk.size()][];
            for (JsonNode d : body.path("data")) {
                float[] v = floats(decode(d.path("embedding")));
                if (v == null || v.length != dimension) {
                    throw new Upstream.UnavailableException("svc-ml returned " + (v == null ? 0 : v.length)
                                                                    + " dimensions, expected " + dimension, 200, null);
                }
                int index = d.path("index").asInt(-1);
                if (index < 0 || index >= vectors.length) {
                    throw new Upstream.UnavailableException("svc-ml returned an embedding for input " + index + " of "
                                                                    + vectors.length, 200, null);
                }
                vectors[index] = v;
            }
            for (float[] v : vectors) {
                if (v == null) {
                    throw new Upstream.UnavailableException("svc-ml returned fewer embeddings than texts", 200, null);
                }
                out.add(v);
            }
        }
        return out;
    }

    private static byte[] decode(JsonNode embedding) {
        if (!embedding.isTextual()) {
            return null;
        }
        try {
            return java.util.Base64.getDecoder().decode(embedding.textValue());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    static byte[] bytes(float[] v) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            buf.putFloat(f);
        }
        return buf.array();
    }

    static float[] floats(byte[] b) {
        if (b == null) {
            return null;
        }
        java.nio.FloatBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[buf.remaining()];
        buf.get(v);
        return v;
    }
}
