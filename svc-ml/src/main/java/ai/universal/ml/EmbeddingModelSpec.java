package ai.universal.ml;

import java.util.List;

/**
 * One embedding model that ships inside a jar on the class path: its public id, where its ONNX graph and
 * tokenizer live, and its shape.
 *
 * @param id                public model id, as clients send it in {@code model}
 * @param onnxResource      class-path resource of the ONNX graph
 * @param tokenizerResource class-path resource of the HuggingFace tokenizer.json
 * @param dimensions        length of every vector it returns
 * @param maxTokens         the model's window in tokens, [CLS] and [SEP] included
 * @param description       one line for /v1/ml/models
 */
public record EmbeddingModelSpec(String id,
                                 String onnxResource,
                                 String tokenizerResource,
                                 int dimensions,
                                 int maxTokens,
                                 String description) {

    /**
     * all-MiniLM-L6-v2 (sentence-transformers), float32; 256 tokens is the window sentence-transformers
     * configures for it.
     */
    public static final EmbeddingModelSpec ALL_MINILM_L6_V2 = new EmbeddingModelSpec(
            "all-minilm-l6-v2", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", 384, 256,
            "sentence-transformers/all-MiniLM-L6-v2, ONNX float32, mean pooling, L2-normalised");

    /** The same model with int8-quantised weights: about 2-3x faster on CPU, vectors within a few percent. */
    public static final EmbeddingModelSpec ALL_MINILM_L6_V2_Q = new EmbeddingModelSpec(
            "all-minilm-l6-v2-q", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 384, 256,
            "sentence-transformers/all-MiniLM-L6-v2, ONNX int8-quantised, mean pooling, L2-normalised");

    /** Every model this service knows how to load. */
    public static final List<EmbeddingModelSpec> KNOWN = List.of(ALL_MINILM_L6_V2, ALL_MINILM_L6_V2_Q);
}
