package ai.universal.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HybridScoreTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void fusesWeightedComponentsBestFirst() {
        MemoryStore.Scored keywordOnly = scored("a", 0.2, new float[] {0, 1}, NOW, 0.5);
        MemoryStore.Scored semanticOnly = scored("b", 0, new float[] {1, 0}, NOW, 0.5);
        List<HybridScore.Hit> hits = HybridScore.rank(List.of(keywordOnly, semanticOnly), new float[] {1, 0}, Map.of(),
                                                      new SearchWeights(0.7, 0.3, 0, 0), Duration.ofDays(30), NOW);
        assertEquals("b", hits.get(0).memory().id());
        assertEquals(0.7, hits.get(0).score(), 1e-9);
        assertEquals(1.0, hits.get(0).semantic(), 1e-9);
        assertEquals("a", hits.get(1).memory().id());
        assertEquals(1.0, hits.get(1).keyword(), 1e-9, "keyword is relative to the best keyword hit");
        assertEquals(0.3, hits.get(1).score(), 1e-9);
    }

    @Test
    void recencyHalvesPerHalfLifeAndImportanceCountsWhenWeighted() {
        MemoryStore.Scored old = scored("old", 0, null, NOW.minus(Duration.ofDays(30)), 1.0);
        MemoryStore.Scored fresh = scored("fresh", 0, null, NOW, 0.0);
        List<HybridScore.Hit> byRecency = HybridScore.rank(List.of(old, fresh), null, Map.of(),
                                                           new SearchWeights(0, 0, 1, 0), Duration.ofDays(30), NOW);
        assertEquals("fresh", byRecency.get(0).memory().id());
        assertEquals(0.5, byRecency.get(1).recency(), 1e-9);
        List<HybridScore.Hit> byImportance = HybridScore.rank(List.of(old, fresh), null, Map.of(),
                                                              new SearchWeights(0, 0, 0.2, 1), Duration.ofDays(30), NOW);
        assertEquals("old", byImportance.get(0).memory().id());
        assertEquals(1.1, byImportance.get(0).score(), 1e-9);
    }

    @Test
    void vectorScoreStandsInWhenNoEmbeddingIsStored() {
        MemoryStore.Scored pending = scored("p", 0, null, NOW, 0.5);
        List<HybridScore.Hit> hits = HybridScore.rank(List.of(pending), new float[] {1, 0}, Map.of("p", 0.8),
                                                      new SearchWeights(1, 0, 0, 0), Duration.ofDays(1), NOW);
        assertEquals(0.8, hits.get(0).semantic(), 1e-9);
    }

    @Test
    void mergePatchReplacesMergesAndRemoves() {
        ObjectNode target = MemoryStore.object("{\"a\":1,\"b\":{\"c\":1,\"d\":2},\"e\":3}");
        ObjectNode patch = MemoryStore.object("{\"a\":2,\"b\":{\"d\":null},\"e\":null,\"f\":[1]}");
        assertEquals("{\"a\":2,\"b\":{\"c\":1},\"f\":[1]}", Memories.mergePatch(target, patch).toString());
    }

    @Test
    void cursorRoundTripsAndRejectsForgeries() {
        Cursor c = new Cursor(Instant.parse("2026-01-02T03:04:05.123456Z"), java.util.UUID.randomUUID());
        assertEquals(c, Cursor.decode(c.encode()));
        MemoryError e = org.junit.jupiter.api.Assertions.assertThrows(MemoryError.class, () -> Cursor.decode("!!"));
        assertEquals("invalid_cursor", e.code());
    }

    private static MemoryStore.Scored scored(String id, double keyword, float[] embedding, Instant updated, double importance) {
        Memory m = new Memory(id, "u", "default", null, null, "t", JsonNodeFactory.instance.objectNode(), importance, updated,
                              updated, null, 1);
        return new MemoryStore.Scored(m, keyword, embedding);
    }
}
