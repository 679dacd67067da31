package ai.universal.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Fuses the search components into one score, best first:
 * <pre>
 * semantic   = max(0, cosine(query, memory))             exact, from the stored embedding (else svc-vector's score)
 * keyword    = rank / best rank among the candidates       PostgreSQL ts_rank_cd (cover density, length-normalized)
 * recency    = 0.5 ^ (age / half-life)                     age since the last update
 * importance = the memory's importance
 * score      = Σ weight × component
 * </pre>
 * The keyword component is relative (the best keyword hit of the query gets 1), so a query whose words occur nowhere
 * adds nothing, and one exact match ranks at the top of the keyword side whatever its absolute rank.
 */
final class HybridScore {

    /**
     * A ranked memory.
     *
     * @param memory     memory
     * @param score      fused score
     * @param semantic   semantic component
     * @param keyword    keyword component
     * @param recency    recency component
     * @param importance importance component
     */
    record Hit(Memory memory, double score, double semantic, double keyword, double recency, double importance) {
    }

    private HybridScore() {
    }

    /**
     * Rank candidates.
     *
     * @param candidates     loaded candidates
     * @param query          query vector, or null when no embedding could be made
     * @param vectorScores   svc-vector's scores by id (used when a memory has no stored embedding yet)
     * @param weights        weights
     * @param halfLife       recency half-life
     * @param now            now
     * @return all candidates, best first
     */
    static List<Hit> rank(List<MemoryStore.Scored> candidates, float[] query, Map<String, Double> vectorScores,
                          SearchWeights weights, Duration halfLife, Instant now) {
        double best = candidates.stream().mapToDouble(MemoryStore.Scored::keyword).max().orElse(0);
        double halfLifeSeconds = Math.max(1, halfLife.toSeconds());
        List<Hit> out = new ArrayList<>(candidates.size());
        for (MemoryStore.Scored c : candidates) {
            double semantic = 0;
            if (query != null && c.embedding() != null && c.embedding().length == query.length) {
                semantic = Math.max(0, EmbeddingClient.cosine(query, c.embedding()));
            } else if (vectorScores.containsKey(c.memory().id())) {
                semantic = Math.max(0, vectorScores.get(c.memory().id()));
            }
            double keyword = best > 0 ? c.keyword() / best : 0;
            double age = Math.max(0, Duration.between(c.memory().updatedAt(), now).toSeconds());
            double recency = Math.pow(0.5, age / halfLifeSeconds);
            double importance = c.memory().importance();
            double score = weights.semantic() * semantic + weights.keyword() * keyword + weights.recency() * recency
                    + weights.importance() * importance;
            out.add(new Hit(c.memory(), score, semantic, keyword, recency, importance));
        }
        out.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(h -> h.memory().id()));
        return out;
    }
}
