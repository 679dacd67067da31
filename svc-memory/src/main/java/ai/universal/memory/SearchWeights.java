package ai.universal.memory;

/**
 * How much each component counts in a search score: {@code score = semantic·s + keyword·k + recency·r + importance·i}.
 *
 * @param semantic   weight of the cosine similarity between query and memory (0..1)
 * @param keyword    weight of the full-text rank, relative to the best keyword hit of the query (0..1)
 * @param recency    weight of {@code 0.5^(age / half-life)} (0..1)
 * @param importance weight of the memory's importance (0..1)
 */
record SearchWeights(double semantic, double keyword, double recency, double importance) {
}
