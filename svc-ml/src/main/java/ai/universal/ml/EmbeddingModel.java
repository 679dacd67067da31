package ai.universal.ml;

import java.util.ArrayList;
import java.util.List;

/**
 * One served embedding model: its tokenizer and ONNX graph ({@link OnnxSentenceEncoder}) behind a dynamic
 * {@link EmbeddingBatcher}. Tokenising runs on the caller's thread, so only the model call is serialised.
 */
public final class EmbeddingModel implements AutoCloseable {

    private final OnnxSentenceEncoder encoder;
    private final EmbeddingBatcher batcher;

    /**
     * Serve an encoder with dynamic batching.
     *
     * @param encoder the loaded model
     * @param policy  batching bounds
     */
    public EmbeddingModel(OnnxSentenceEncoder encoder, BatchingPolicy policy) {
        this(encoder, encoder, policy);
    }

    /**
     * Serve an encoder whose batches go through {@code calls} (which normally is the encoder itself; a wrapper can
     * observe or hold model calls).
     *
     * @param encoder the loaded model, used for tokenising
     * @param calls   what runs a batch
     * @param policy  batching bounds
     */
    public EmbeddingModel(OnnxSentenceEncoder encoder, BatchEncoder calls, BatchingPolicy policy) {
        this.encoder = encoder;
        this.batcher = new EmbeddingBatcher(encoder.spec().id(), calls, policy);
    }

    /** What this model is. */
    public EmbeddingModelSpec spec() {
        return encoder.spec();
    }

    /** The model's tokenizer and graph, for token counts and word pieces. */
    public OnnxSentenceEncoder encoder() {
        return encoder;
    }

    /** Its batcher, for counters. */
    public EmbeddingBatcher batcher() {
        return batcher;
    }

    /**
     * Embed texts.
     *
     * @param texts    non-empty texts
     * @param truncate cut texts longer than the window instead of failing
     * @return vectors in order with the token count
     * @throws InputTooLongException if a text is too long and {@code truncate} is false
     * @throws QueueFullException    if the batch queue has no room
     * @throws InterruptedException  if interrupted while waiting for the model
     */
    public Embeddings embed(List<String> texts, boolean truncate) throws InterruptedException {
        List<TokenizedText> tokenized = tokenize(texts, truncate);
        List<float[]> vectors = batcher.embed(tokenized);
        int tokens = 0;
        int truncated = 0;
        for (TokenizedText t : tokenized) {
            tokens += t.length();
            truncated += t.truncated() ? 1 : 0;
        }
        return new Embeddings(spec().id(), vectors, tokens, truncated);
    }

    /**
     * Tokenise texts as {@link #embed(List, boolean)} would.
     *
     * @param texts    texts
     * @param truncate cut to the window instead of failing
     * @return one entry per text
     */
    public List<TokenizedText> tokenize(List<String> texts, boolean truncate) {
        List<TokenizedText> tokenized = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                tokenized.add(encoder.tokenize(texts.get(i), truncate));
            } catch (InputTooLongException e) {
                throw e.at(i);
            }
        }
        return tokenized;
    }

    @Override
    public void close() {
        batcher.close();
        encoder.close();
    }
}
