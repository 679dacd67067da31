package ai.universal.ml;

/** The real models, loaded once per test JVM: loading the ONNX graph takes about a second. */
final class TestModels {

    private static OnnxSentenceEncoder miniLm;
    private static OnnxSentenceEncoder miniLmQuantised;

    private TestModels() {
    }

    static synchronized OnnxSentenceEncoder miniLm() {
        if (miniLm == null) {
            miniLm = OnnxSentenceEncoder.load(EmbeddingModelSpec.ALL_MINILM_L6_V2, 0);
        }
        return miniLm;
    }

    static synchronized OnnxSentenceEncoder miniLmQuantised() {
        if (miniLmQuantised == null) {
            miniLmQuantised = OnnxSentenceEncoder.load(EmbeddingModelSpec.ALL_MINILM_L6_V2_Q, 0);
        }
        return miniLmQuantised;
    }
}
