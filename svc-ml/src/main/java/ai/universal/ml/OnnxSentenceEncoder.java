package ai.universal.ml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * A sentence-transformers BERT model run with ONNX Runtime, many texts per call.
 *
 * <p>langchain4j's {@code AllMiniLmL6V2EmbeddingModel} runs one ONNX call per text (its {@code embedAll} only
 * spreads single-text calls over threads) and averages chunks of long texts; this class loads the same ONNX graph
 * and tokenizer from that jar and instead pads a whole batch into one {@code [batch, seq]} tensor, masks the padding
 * out of attention and of the mean pooling, and L2-normalises. A text therefore gets the same vector alone or in a
 * batch (up to float rounding). Texts longer than the window are cut to it ({@link #tokenize(String, boolean)}).
 *
 * <p>Thread-safe: the tokenizer and {@link OrtSession#run} may be called from many threads.
 */
public final class OnnxSentenceEncoder implements BatchEncoder, AutoCloseable {

    private final EmbeddingModelSpec spec;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final Set<String> inputNames;
    private final HuggingFaceTokenizer tokenizer;

    private OnnxSentenceEncoder(EmbeddingModelSpec spec, OrtEnvironment environment, OrtSession session,
                                HuggingFaceTokenizer tokenizer) throws OrtException {
        this.spec = spec;
        this.environment = environment;
        this.session = session;
        this.inputNames = session.getInputNames();
        this.tokenizer = tokenizer;
    }

    /**
     * Load a model from the class path.
     *
     * @param spec       which model
     * @param intraOpThreads threads ONNX Runtime uses inside one call (0 = its default: all cores)
     * @return the encoder
     */
    public static OnnxSentenceEncoder load(EmbeddingModelSpec spec, int intraOpThreads) {
        ClassLoader loader = OnnxSentenceEncoder.class.getClassLoader();
        try (InputStream graph = open(loader, spec.onnxResource());
             InputStream tokenizerJson = open(loader, spec.tokenizerResource())) {
            // Padding and truncation off: the tokenizer.json shipped with the model pads and cuts at 128,
            // the batch is padded here and the window is applied in tokenize().
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                    tokenizerJson, Map.of("padding", "false", "truncation", "false"));
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                // Idle ONNX threads would otherwise spin between calls and take the cores the HTTP layer and the
                // tokenizer need while the next batch is being gathered.
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                options.addConfigEntry("session.inter_op.allow_spinning", "0");
                if (intraOpThreads > 0) {
                    options.setIntraOpNumThreads(intraOpThreads);
                }
                OrtSession session = environment.createSession(graph.readAllBytes(), options);
                return new OnnxSentenceEncoder(spec, environment, session, tokenizer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + spec.id(), e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load model " + spec.id() + ": " + e.getMessage(), e);
        }
    }

    /** The model this encoder runs. */
    public EmbeddingModelSpec spec() {
        return spec;
    }

    /**
     * Tokenise one text with the model's own tokenizer.
     *
     * @param text     the text
     * @param truncate cut to the model's window (keeping [SEP] last) instead of failing
     * @return the token ids and the text's full token count
     * @throws InputTooLongException if the text is longer than the window and {@code truncate} is false
     */
    public TokenizedText tokenize(String text, boolean truncate) {
        long[] ids = tokenizer.encode(text).getIds();
        int max = spec.maxTokens();
        if (ids.length <= max) {
            return new TokenizedText(ids, ids.length);
        }
        if (!truncate) {
            throw new InputTooLongException(-1, ids.length, max);
        }
        long[] cut = Arrays.copyOf(ids, max);
        cut[max - 1] = ids[ids.length - 1];
        return new TokenizedText(cut, ids.length);
    }

    /**
     * The model's word pieces for a text with their character offsets, special tokens left out.
     *
     * @param text the text
     * @return pieces in order
     */
    public List<TextSpan> wordPieces(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        String[] tokens = encoding.getTokens();
        var spans = encoding.getCharTokenSpans();
        TextSpan[] pieces = new TextSpan[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            pieces[i] = new TextSpan(tokens[i], spans[i].getStart(), spans[i].getEnd());
        }
        return List.of(pieces);
    }

    @Override
    public float[][] encode(List<TokenizedText> texts) {
        int batch = texts.size();
        int seq = 0;
        for (TokenizedText text : texts) {
            seq = Math.max(seq, text.length());
        }
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            long[] row = texts.get(b).ids();
            System.arraycopy(row, 0, ids, b * seq, row.length);
            Arrays.fill(mask, b * seq, b * seq + row.length, 1L);
        }
        long[] shape = {batch, seq};
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
             OnnxTensor typesTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[batch * seq]),
                                                              shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idsTensor);
            inputs.put("attention_mask", maskTensor);
            if (inputNames.contains("token_type_ids")) {
                inputs.put("token_type_ids", typesTensor);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor hidden = (OnnxTensor) result.get(0);
                int width = (int) hidden.getInfo().getShape()[2];
                return meanPoolAndNormalise(hidden.getFloatBuffer(), texts, seq, width);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            tokenizer.close();
        }
    }

    private static float[][] meanPoolAndNormalise(FloatBuffer hidden, List<TokenizedText> texts, int seq, int width) {
        float[][] vectors = new float[texts.size()][];
        double[] sum = new double[width];
        for (int b = 0; b < texts.size(); b++) {
            Arrays.fill(sum, 0);
            int tokens = texts.get(b).length();
            for (int t = 0; t < tokens; t++) {
                int base = (b * seq + t) * width;
                for (int d = 0; d < width; d++) {
                    sum[d] += hidden.get(base + d);
                }
            }
            double norm = 0;
            for (int d = 0; d < width; d++) {
                sum[d] /= tokens;
                norm += sum[d] * sum[d];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            float[] vector = new float[width];
            for (int d = 0; d < width; d++) {
                vector[d] = (float) (sum[d] / norm);
            }
            vectors[b] = vector;
        }
        return vectors;
    }

    private static InputStream open(ClassLoader loader, String resource) throws IOException {
        InputStream in = loader.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("class-path resource " + resource + " not found (is the model jar a dependency?)");
        }
        return in;
    }
}
