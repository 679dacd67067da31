package ai.universal.ml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Zero-shot classification by embedding similarity: the text and each caller-given label (put into a hypothesis
 * template such as {@code "This text is about {}."}) are embedded together; labels are ranked by cosine, and the
 * cosines are turned into probabilities with a softmax at scale 20, the scale all-MiniLM-L6-v2 was trained with
 * (sentence-transformers' MultipleNegativesRankingLoss).
 */
public final class ZeroShotClassifier {

    /** Template used when the caller gives none: the bare label. */
    public static final String DEFAULT_TEMPLATE = "{}";
    static final double SCALE = 20.0;

    private final EmbeddingModels models;

    /**
     * @param models the embedding models to classify with
     */
    public ZeroShotClassifier(EmbeddingModels models) {
        this.models = models;
    }

    /**
     * Rank labels for a text.
     *
     * @param model    model id, null for the default
     * @param text     the text
     * @param labels   distinct labels, at least one
     * @param template hypothesis with {@code {}} where the label goes
     * @param truncate cut over-long texts instead of failing
     * @return labels with scores, best first
     * @throws InterruptedException if interrupted while waiting for the model
     */
    public Classification classify(String model, String text, List<String> labels, String template, boolean truncate)
            throws InterruptedException {
        if (!template.contains("{}")) {
            throw new IllegalArgumentException("template must contain {} where the label goes");
        }
        List<String> all = new ArrayList<>(labels.size() + 1);
        all.add(text);
        labels.forEach(label -> all.add(template.replace("{}", label)));
        Embeddings embeddings = models.get(model).embed(all, truncate);
        float[] first = embeddings.vectors().getFirst();
        double[] cosines = new double[labels.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < cosines.length; i++) {
            cosines[i] = Cosine.similarity(first, embeddings.vectors().get(i + 1));
            max = Math.max(max, cosines[i]);
        }
        double sum = 0;
        double[] weights = new double[cosines.length];
        for (int i = 0; i < cosines.length; i++) {
            weights[i] = Math.exp(SCALE * (cosines[i] - max));
            sum += weights[i];
        }
        List<LabelScore> ranked = new ArrayList<>(labels.size());
        for (int i = 0; i < cosines.length; i++) {
            ranked.add(new LabelScore(labels.get(i), weights[i] / sum, cosines[i]));
        }
        ranked.sort(Comparator.comparingDouble(LabelScore::similarity).reversed());
        return new Classification(embeddings.model(), ranked, embeddings.tokens());
    }

    /**
     * One label's result.
     *
     * @param label      the label as given
     * @param score      probability among the given labels (softmax of scaled cosines); all scores sum to 1
     * @param similarity raw cosine of text and hypothesis
     */
    public record LabelScore(String label, double score, double similarity) {
    }

    /**
     * A ranking.
     *
     * @param model  model id used
     * @param labels labels, best first
     * @param tokens tokens the model read
     */
    public record Classification(String model, List<LabelScore> labels, int tokens) {
    }
}
