package ai.universal.ml;

import java.util.ArrayList;
import java.util.List;

/** Cosine similarity of one text against others, all embedded in one request so they share a model call. */
public final class TextSimilarity {

    private final EmbeddingModels models;

    /**
     * @param models the embedding models to compare with
     */
    public TextSimilarity(EmbeddingModels models) {
        this.models = models;
    }

    /**
     * Compare a text with candidates.
     *
     * @param model      model id, null for the default
     * @param text       the text
     * @param candidates texts to compare it with, at least one
     * @param truncate   cut over-long texts instead of failing
     * @return one score per candidate, in candidate order
     * @throws InterruptedException if interrupted while waiting for the model
     */
    public Scores compare(String model, String text, List<String> candidates, boolean truncate)
            throws InterruptedException {
        List<String> all = new ArrayList<>(candidates.size() + 1);
        all.add(text);
        all.addAll(candidates);
        Embeddings embeddings = models.get(model).embed(all, truncate);
        float[] first = embeddings.vectors().getFirst();
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = Cosine.similarity(first, embeddings.vectors().get(i + 1));
        }
        return new Scores(embeddings.model(), scores, embeddings.tokens());
    }

    /**
     * Similarities of a text to its candidates.
     *
     * @param model  model id used
     * @param scores cosine per candidate, candidate order
     * @param tokens tokens the model read
     */
    public record Scores(String model, double[] scores, int tokens) {
    }
}
