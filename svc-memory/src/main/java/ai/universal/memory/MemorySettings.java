package ai.universal.memory;

import java.time.Duration;

import ai.universal.kit.Settings;

/**
 * svc-memory's settings: environment variable, else the key under {@code memory:} in application.yaml, else the default.
 *
 * @param maxTextChars      longest memory text (422 above)
 * @param maxMetadataBytes  largest metadata object, serialized (422 above)
 * @param maxBatch          most memories in one add (413 above)
 * @param maxImport         most memories in one import (413 above)
 * @param dedupeDistance    cosine distance under which a new memory updates an existing one of the same owner and scope
 * @param collection        svc-vector collection holding the memories' vectors
 * @param embeddingModel    svc-ml model id
 * @param dimension         the model's vector size
 * @param relayBatch        outbox rows the relay takes per round
 * @param relayPoll         how often the relay looks for work when nobody wakes it
 * @param relayBackoff      first wait after a failed round (doubles per attempt)
 * @param relayMaxBackoff   longest wait between attempts (the relay never gives up)
 * @param purgeInterval     how often expired memories past the grace period are deleted (0 = never)
 * @param purgeGrace        how long an expired memory is kept (visible with include_expired) before the purge deletes it
 * @param outboxRetention   how long done outbox rows are kept
 * @param eventsChannel     Redis pub/sub channel for memory.added/updated/deleted
 * @param serviceApiKey     svc-memory's own API key for svc-ml and svc-vector when there is no caller (relay), or null
 * @param weights           default search weights
 * @param recencyHalfLife   default age at which the recency component halves
 */
record MemorySettings(int maxTextChars, int maxMetadataBytes, int maxBatch, int maxImport, double dedupeDistance,
                      String collection, String embeddingModel, int dimension, int relayBatch, Duration relayPoll,
                      Duration relayBackoff, Duration relayMaxBackoff, Duration purgeInterval, Duration purgeGrace,
                      Duration outboxRetention, String eventsChannel, String serviceApiKey, SearchWeights weights,
                      Duration recencyHalfLife) {

    static MemorySettings from(Settings s) {
        String key = s.optional("MEMORY_SERVICE_API_KEY", "memory.service-api-key").filter(v -> !v.isBlank()).orElse(null);
        return new MemorySettings(
                s.integer("MEMORY_MAX_TEXT_CHARS", "memory.max-text-chars", 8000),
                s.integer("MEMORY_MAX_METADATA_BYTES", "memory.max-metadata-bytes", 16384),
                s.integer("MEMORY_MAX_BATCH", "memory.max-batch", 100),
                s.integer("MEMORY_MAX_IMPORT", "memory.max-import", 10000),
                Double.parseDouble(s.string("MEMORY_DEDUPE_DISTANCE", "memory.dedupe-distance", "0.1")),
                s.string("MEMORY_VECTOR_COLLECTION", "memory.vector-collection", "memories"),
                s.string("MEMORY_EMBEDDING_MODEL", "memory.embedding-model", "all-minilm-l6-v2"),
                s.integer("MEMORY_EMBEDDING_DIMENSION", "memory.embedding-dimension", 384),
                s.integer("MEMORY_RELAY_BATCH", "memory.relay.batch", 128),
                s.duration("MEMORY_RELAY_POLL", "memory.relay.poll", Duration.ofMillis(500)),
                s.duration("MEMORY_RELAY_BACKOFF", "memory.relay.backoff", Duration.ofSeconds(1)),
                s.duration("MEMORY_RELAY_MAX_BACKOFF", "memory.relay.max-backoff", Duration.ofMinutes(5)),
                s.duration("MEMORY_PURGE_INTERVAL", "memory.purge.interval", Duration.ofMinutes(10)),
                s.duration("MEMORY_PURGE_GRACE", "memory.purge.grace", Duration.ofHours(24)),
                s.duration("MEMORY_OUTBOX_RETENTION", "memory.outbox-retention", Duration.ofHours(1)),
                s.string("MEMORY_EVENTS_CHANNEL", "memory.events-channel", "uat:events"),
                key,
                new SearchWeights(Double.parseDouble(s.string("MEMORY_WEIGHT_SEMANTIC", "memory.search.semantic", "0.7")),
                                  Double.parseDouble(s.string("MEMORY_WEIGHT_KEYWORD", "memory.search.keyword", "0.3")),
                                  Double.parseDouble(s.string("MEMORY_WEIGHT_RECENCY", "memory.search.recency", "0")),
                                  Double.parseDouble(s.string("MEMORY_WEIGHT_IMPORTANCE", "memory.search.importance", "0"))),
                s.duration("MEMORY_RECENCY_HALF_LIFE", "memory.search.recency-half-life", Duration.ofDays(30)));
    }

    /**
     * Smallest cosine similarity that counts as a duplicate.
     *
     * @return 1 - distance
     */
    double dedupeSimilarity() {
        return 1.0 - dedupeDistance;
    }
}
