package ai.universal.memory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The memory domain: add with deduplication, change, delete, history, list, hybrid search, import/export, expiry and
 * reindex — every operation for one owner. PostgreSQL holds the truth; each write commits the memory, its history
 * entry and its outbox row together, then wakes the {@link IndexRelay} and publishes events. No HTTP types here.
 */
final class Memories {
    static final String DEFAULT_SCOPE = "default";
    private static final System.Logger LOGGER = System.getLogger(Memories.class.getName());
    private static final int FEW_IDS = 2000;
    private static final int EXPORT_PAGE = 500;
    private static final Executor KEYWORD_SEARCH = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("memory-keyword-", 0).factory());

    private final MemoryStore store;
    private final EmbeddingClient embeddings;
    private final VectorIndex index;
    private final IndexRelay relay;
    private final MemoryEvents events;
    private final MemorySettings settings;
    private final Clock clock;

    /**
     * What happened to one memory of an add or import.
     *
     * @param memory     the stored memory
     * @param result     added, updated or unchanged
     * @param similarity similarity to the memory it was merged into (dedupe), or null
     */
    record Outcome(Memory memory, String result, Double similarity) {
    }

    /**
     * The outcome of an add.
     *
     * @param outcomes per item, in request order
     * @param dedupe   how duplicates were looked for: semantic, exact (svc-ml or svc-vector unavailable) or off
     */
    record AddResult(List<Outcome> outcomes, String dedupe) {
    }

    /**
     * A search.
     *
     * @param query     query text
     * @param limit     most results
     * @param filter    filter
     * @param minScore  least fused score, or null
     * @param weights   weights
     * @param halfLife  recency half-life
     */
    record SearchRequest(String query, int limit, MemoryFilter filter, Double minScore, SearchWeights weights,
                         Duration halfLife) {
    }

    /**
     * Search results.
     *
     * @param hits     best first
     * @param semantic ok, or unavailable when svc-ml or svc-vector could not answer (keyword results only)
     */
    record SearchResult(List<HybridScore.Hit> hits, String semantic) {
    }

    Memories(MemoryStore store, EmbeddingClient embeddings, VectorIndex index, IndexRelay relay, MemoryEvents events,
             MemorySettings settings, Clock clock) {
        this.store = store;
        this.embeddings = embeddings;
        this.index = index;
        this.relay = relay;
        this.events = events;
        this.settings = settings;
        this.clock = clock;
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Add memories, all or none. With dedupe, an item whose text equals, or whose embedding lies within the dedupe
     * distance of, a live memory of the same owner and scope updates that memory instead.
     *
     * @param actor  who asks
     * @param owner  whose memories
     * @param drafts items
     * @param dedupe whether to look for duplicates
     * @return outcomes
     */
    AddResult add(String actor, String owner, List<Draft> drafts, boolean dedupe) {
        Instant now = now();
        List<String> scopes = drafts.stream().map(d -> d.scope() == null ? DEFAULT_SCOPE : d.scope()).toList();
        List<float[]> vectors = null;
        List<List<VectorIndex.Hit>> near = null;
        String mode = dedupe ? "semantic" : "off";
        if (dedupe) {
            try {
                vectors = embeddings.embed(drafts.stream().map(Draft::text).toList());
                near = index.searchEach(vectors, owner, scopes, settings.dedupeSimilarity());
            } catch (Upstream.UnavailableException e) {
                LOGGER.log(System.Logger.Level.WARNING, "Dedupe by exact text only: " + e.getMessage());
                mode = "exact";
            }
        }
        List<float[]> embedded = vectors;
        List<List<VectorIndex.Hit>> similar = near;
        List<MemoryEvents.Event> published = new ArrayList<>();
        List<Outcome> outcomes = store.inTransaction(c -> {
            published.clear(); // a transaction retried after a deadlock starts over
            List<Outcome> out = new ArrayList<>();
            for (int i = 0; i < drafts.size(); i++) {
                Draft d = drafts.get(i);
                String scope = scopes.get(i);
                float[] vector = embedded == null ? null : embedded.get(i);
                byte[] hash = hash(d.text());
                Optional<Memory> target = Optional.empty();
                Double similarity = null;
                if (dedupe) {
                    target = store.findSameText(c, owner, scopes.get(i), hash, d.text(), now);
                    similarity = target.isPresent() ? 1.0 : null;
                    if (target.isEmpty() && similar != null) {
                        for (VectorIndex.Hit hit : similar.get(i)) {
                            Optional<Memory> m = store.find(c, owner, UUID.fromString(hit.id()), true)
                                    .filter(x -> x.scope().equals(scope) && !x.expiredAt(now));
                            if (m.isPresent()) {
                                target = m;
                                similarity = Math.min(1.0, hit.score());
                                break;
                            }
                        }
                    }
                }
                if (target.isPresent()) {
                    out.add(merge(c, actor, target.get(), d, hash, vector, similarity, now, published));
                } else {
                    out.add(insert(c, actor, owner, scopes.get(i), d, hash, vector, now, "create", published));
                }
            }
            return out;
        });
        afterCommit(published);
        return new AddResult(outcomes, mode);
    }

    Memory get(String owner, String id, boolean includeExpired) {
        UUID uuid = uuid(id);
        Memory m = store.read(c -> store.find(c, owner, uuid, false)).orElseThrow(() -> MemoryError.notFound(id));
        if (!includeExpired && m.expiredAt(now())) {
            throw MemoryError.notFound(id);
        }
        return m;
    }

    /**
     * Change a memory.
     *
     * @param actor who asks
     * @param owner owner
     * @param id    id
     * @param patch change (null fields unchanged; metadata is a JSON merge patch)
     * @return the memory after the change
     */
    Memory patch(String actor, String owner, String id, Draft patch) {
        UUID uuid = uuid(id);
        Instant now = now();
        List<MemoryEvents.Event> published = new ArrayList<>();
        Memory result = store.inTransaction(c -> {
            published.clear(); // a transaction retried after a deadlock starts over
            Memory before = store.find(c, owner, uuid, true).orElseThrow(() -> MemoryError.notFound(id));
            ObjectNode metadata = patch.metadata() == null ? before.metadata() : mergePatch(before.metadata(), patch.metadata());
            Memory after = new Memory(before.id(), owner,
                                      patch.scope() == null ? before.scope() : patch.scope(),
                                      patch.agentId() == null ? before.agentId() : patch.agentId(),
                                      patch.runId() == null ? before.runId() : patch.runId(),
                                      patch.text() == null ? before.text() : patch.text(), metadata,
                                      patch.importance() == null ? before.importance() : patch.importance(),
                                      before.createdAt(), now, patch.expiresSet() ? patch.expiresAt() : before.expiresAt(),
                                      before.version() + 1);
            if (sameContent(before, after)) {
                return before;
            }
            boolean textChanged = !before.text().equals(after.text());
            store.update(c, after, hash(after.text()), textChanged, null, null);
            store.history(c, id, owner, new MemoryStore.Change("updated", "patch", actor, before.snapshot(), after.snapshot(),
                                                               now));
            if (textChanged || !before.scope().equals(after.scope())) {
                store.enqueue(c, id, now);
            }
            published.add(MemoryEvents.Event.of("updated", after));
            return after;
        });
        afterCommit(published);
        return result;
    }

    void delete(String actor, String owner, String id) {
        UUID uuid = uuid(id);
        Instant now = now();
        List<MemoryEvents.Event> published = new ArrayList<>();
        store.inTransaction(c -> {
            published.clear(); // a transaction retried after a deadlock starts over
            Memory m = store.find(c, owner, uuid, true).orElseThrow(() -> MemoryError.notFound(id));
            remove(c, actor, m, "delete", now, published);
            return null;
        });
        afterCommit(published);
    }

    /**
     * Delete by filter.
     *
     * @param actor  who asks
     * @param owner  owner
     * @param filter filter
     * @param dryRun only count
     * @return how many matched (and were deleted unless dry run)
     */
    long deleteWhere(String actor, String owner, MemoryFilter filter, boolean dryRun) {
        Instant now = now();
        if (dryRun) {
            return store.count(owner, filter, now);
        }
        List<MemoryEvents.Event> published = new ArrayList<>();
        int deleted = store.inTransaction(c -> {
            published.clear(); // a transaction retried after a deadlock starts over
            List<Memory> gone = store.deleteWhere(c, owner, filter, now);
            for (Memory m : gone) {
                recordRemoval(c, actor, m, "delete_by_filter", now, published);
            }
            return gone.size();
        });
        afterCommit(published);
        return deleted;
    }

    List<MemoryStore.Change> history(String owner, String id) {
        List<MemoryStore.Change> changes = store.changes(owner, uuid(id));
        if (changes.isEmpty()) {
            throw MemoryError.notFound(id);
        }
        return changes;
    }

    MemoryStore.Page list(String owner, MemoryFilter filter, int limit, Cursor after) {
        return store.list(owner, filter, limit, after, now());
    }

    /**
     * Hybrid search: candidates from svc-vector (nearest to the query's embedding, confined to the owner, and to the
     * filter's ids when few match) and from PostgreSQL full-text search, loaded again through the filter, scored
     * exactly and fused ({@link HybridScore}).
     *
     * @param owner   owner
     * @param request request
     * @return results
     */
    SearchResult search(String owner, SearchRequest request) {
        Instant now = now();
        MemoryFilter filter = request.filter();
        int candidates = Math.min(400, Math.max(40, request.limit() * 4));
        String semantic = "ok";
        float[] query = null;
        Map<String, Double> vectorScores = new HashMap<>();
        Set<String> ids = new LinkedHashSet<>();
        // The keyword side needs only PostgreSQL: it runs beside the semantic side (which stays on the request thread,
        // where the caller's credentials for svc-ml and svc-vector live).
        CompletableFuture<List<String>> keyword = CompletableFuture.supplyAsync(
                () -> store.keywordIds(owner, filter, request.query(), candidates, now), KEYWORD_SEARCH);
        try {
            query = embeddings.embed(List.of(request.query())).get(0);
            List<String> restrict = null;
            boolean skip = false;
            if (filter.narrowsBeyondScope()) {
                Optional<List<String>> few = store.idsIfFew(owner, filter, FEW_IDS, now);
                restrict = few.orElse(null);
                skip = few.isPresent() && few.get().isEmpty();
            }
            if (!skip) {
                for (VectorIndex.Hit hit : index.search(query, owner, filter.scopes(), restrict, candidates, null)) {
                    vectorScores.put(hit.id(), hit.score());
                    ids.add(hit.id());
                }
            }
        } catch (Upstream.UnavailableException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Search without the semantic side: " + e.getMessage());
            semantic = "unavailable";
        }
        ids.addAll(keyword.join());
        List<HybridScore.Hit> ranked = HybridScore.rank(store.scored(owner, filter, List.copyOf(ids), request.query(), now),
                                                        query, vectorScores, request.weights(), request.halfLife(), now);
        List<HybridScore.Hit> out = new ArrayList<>();
        for (HybridScore.Hit h : ranked) {
            if (out.size() == request.limit()) {
                break;
            }
            if (request.minScore() == null || h.score() >= request.minScore()) {
                out.add(h);
            }
        }
        return new SearchResult(out, semantic);
    }

    /**
     * Every memory of the owner that passes the filter, in id order, page by page.
     *
     * @param owner  owner
     * @param filter filter
     * @param sink   receives each memory
     * @return how many
     */
    long export(String owner, MemoryFilter filter, Consumer<Memory> sink) {
        Instant now = now();
        UUID after = null;
        long count = 0;
        while (true) {
            List<Memory> page = store.exportPage(owner, filter, after, EXPORT_PAGE, now);
            page.forEach(sink);
            count += page.size();
            if (page.size() < EXPORT_PAGE) {
                return count;
            }
            after = UUID.fromString(page.get(page.size() - 1).id());
        }
    }

    /**
     * Import memories, all or none, without dedupe: an id this owner already holds is overwritten with the imported
     * values, an id that is free is kept, an id another user holds is replaced by a new one.
     *
     * @param actor  who asks
     * @param owner  owner
     * @param drafts items
     * @return outcomes
     */
    List<Outcome> importAll(String actor, String owner, List<Draft> drafts) {
        Instant now = now();
        List<MemoryEvents.Event> published = new ArrayList<>();
        List<Outcome> outcomes = store.inTransaction(c -> {
            published.clear(); // a transaction retried after a deadlock starts over
            List<Outcome> out = new ArrayList<>();
            for (Draft d : drafts) {
                String scope = d.scope() == null ? DEFAULT_SCOPE : d.scope();
                Optional<Memory> existing = Optional.empty();
                String id = d.id();
                if (id != null) {
                    Optional<String> holder = store.ownerOf(c, UUID.fromString(id));
                    if (holder.isPresent() && holder.get().equals(owner)) {
                        existing = store.find(c, owner, UUID.fromString(id), true);
                    } else if (holder.isPresent()) {
                        id = null;
                    }
                }
                if (existing.isPresent()) {
                    Memory before = existing.get();
                    Memory after = new Memory(before.id(), owner, scope, d.agentId(), d.runId(), d.text(),
                                              d.metadata() == null ? JsonNodeFactory.instance.objectNode() : d.metadata(),
                                              d.importance() == null ? before.importance() : d.importance(),
                                              d.createdAt() == null ? before.createdAt() : d.createdAt(), now,
                                              d.expiresAt(), before.version() + 1);
                    if (sameContent(before, after)) {
                        out.add(new Outcome(before, "unchanged", null));
                        continue;
                    }
                    boolean textChanged = !before.text().equals(after.text());
                    store.update(c, after, hash(after.text()), textChanged, null, null);
                    store.history(c, after.id(), owner, new MemoryStore.Change("updated", "import", actor, before.snapshot(),
                                                                               after.snapshot(), now));
                    store.enqueue(c, after.id(), now);
                    published.add(MemoryEvents.Event.of("updated", after));
                    out.add(new Outcome(after, "updated", null));
                } else {
                    Draft keep = new Draft(d.text(), d.metadata(), scope, d.agentId(), d.runId(), d.importance(),
                                           d.expiresAt(), d.expiresSet(), id, d.createdAt(), d.updatedAt());
                    out.add(insert(c, actor, owner, scope, keep, hash(d.text()), null, now, "import", published));
                }
            }
            return out;
        });
        afterCommit(published);
        return outcomes;
    }

    /**
     * Rebuild the vector collection from PostgreSQL: drop and recreate it, then queue every memory for the relay.
     *
     * @param reembed also forget stored embeddings (after a model change), so svc-ml computes them again
     * @return memories queued
     */
    long reindex(boolean reembed) {
        index.recreate();
        Instant now = now();
        long queued = store.inTransaction(c -> {
            if (reembed) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE memories SET embedding = NULL, embedding_model = NULL")) {
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO index_outbox (memory_id, created_at, next_attempt_at) SELECT id, ?, ? FROM memories")) {
                Sql.bind(c, ps, List.of(now, now));
                return (long) ps.executeUpdate();
            }
        });
        relay.wake();
        return queued;
    }

    /**
     * Delete memories expired longer ago than the grace period, and forget done outbox rows.
     *
     * @return memories deleted
     */
    int purge() {
        Instant now = now();
        Instant cutoff = now.minus(settings.purgeGrace());
        int total = 0;
        while (true) {
            List<MemoryEvents.Event> published = new ArrayList<>();
            int n = store.inTransaction(c -> {
                published.clear(); // a transaction retried after a deadlock starts over
                List<Memory> expired = store.expired(c, cutoff, EXPORT_PAGE);
                for (Memory m : expired) {
                    remove(c, "system", m, "expired", now, published);
                }
                return expired.size();
            });
            afterCommit(published);
            total += n;
            if (n < EXPORT_PAGE) {
                break;
            }
        }
        relay.forgetDone(now);
        if (total > 0) {
            LOGGER.log(System.Logger.Level.INFO, "Purged " + total + " expired memories");
        }
        return total;
    }

    IndexRelay.Status outbox() {
        return relay.status();
    }

    private Outcome insert(Connection c, String actor, String owner, String scope, Draft d, byte[] hash, float[] vector,
                           Instant now, String reason, List<MemoryEvents.Event> published) throws SQLException {
        Instant created = d.createdAt() == null ? now : d.createdAt().truncatedTo(ChronoUnit.MICROS);
        Instant updated = d.updatedAt() == null ? (d.createdAt() == null ? now : created) : d.updatedAt()
                .truncatedTo(ChronoUnit.MICROS);
        Memory m = new Memory(d.id() == null ? UUID.randomUUID().toString() : d.id(), owner, scope, d.agentId(), d.runId(),
                              d.text(), d.metadata() == null ? JsonNodeFactory.instance.objectNode() : d.metadata(),
                              d.importance() == null ? 0.5 : d.importance(), created, updated,
                              d.expiresAt() == null ? null : d.expiresAt().truncatedTo(ChronoUnit.MICROS), 1);
        store.insert(c, m, hash, vector, embeddings.model());
        store.history(c, m.id(), owner, new MemoryStore.Change("added", reason, actor, null, m.snapshot(), now));
        store.enqueue(c, m.id(), now);
        published.add(MemoryEvents.Event.of("added", m));
        return new Outcome(m, "added", null);
    }

    private Outcome merge(Connection c, String actor, Memory before, Draft d, byte[] hash, float[] vector, Double similarity,
                          Instant now, List<MemoryEvents.Event> published) throws SQLException {
        ObjectNode metadata = before.metadata().deepCopy();
        if (d.metadata() != null) {
            metadata.setAll(d.metadata());
        }
        Memory after = new Memory(before.id(), before.owner(), before.scope(),
                                  d.agentId() == null ? before.agentId() : d.agentId(),
                                  d.runId() == null ? before.runId() : d.runId(), d.text(), metadata,
                                  d.importance() == null ? before.importance() : d.importance(), before.createdAt(), now,
                                  d.expiresSet() ? d.expiresAt() : before.expiresAt(), before.version() + 1);
        if (sameContent(before, after)) {
            return new Outcome(before, "unchanged", similarity);
        }
        boolean textChanged = !before.text().equals(after.text());
        store.update(c, after, hash, textChanged, vector, embeddings.model());
        ObjectNode current = after.snapshot();
        current.put("similarity", similarity);
        store.history(c, after.id(), after.owner(), new MemoryStore.Change("updated", "dedupe", actor, before.snapshot(),
                                                                           current, now));
        if (textChanged) {
            store.enqueue(c, after.id(), now);
        }
        published.add(MemoryEvents.Event.of("updated", after));
        return new Outcome(after, "updated", similarity);
    }

    private void remove(Connection c, String actor, Memory m, String reason, Instant now, List<MemoryEvents.Event> published)
            throws SQLException {
        store.delete(c, m);
        recordRemoval(c, actor, m, reason, now, published);
    }

    private void recordRemoval(Connection c, String actor, Memory m, String reason, Instant now,
                               List<MemoryEvents.Event> published) throws SQLException {
        store.history(c, m.id(), m.owner(), new MemoryStore.Change("deleted", reason, actor, m.snapshot(), null, now));
        store.enqueue(c, m.id(), now);
        published.add(MemoryEvents.Event.of("deleted", m));
    }

    private void afterCommit(List<MemoryEvents.Event> published) {
        if (!published.isEmpty()) {
            relay.wake();
            events.publish(published);
        }
    }

    private static boolean sameContent(Memory a, Memory b) {
        return a.text().equals(b.text()) && a.metadata().equals(b.metadata()) && a.scope().equals(b.scope())
                && Objects.equals(a.agentId(), b.agentId()) && Objects.equals(a.runId(), b.runId())
                && (float) a.importance() == (float) b.importance() && Objects.equals(a.expiresAt(), b.expiresAt())
                && a.createdAt().equals(b.createdAt());
    }

    /**
     * RFC 7396 JSON merge patch.
     *
     * @param target current object
     * @param patch  patch
     * @return merged copy
     */
    static ObjectNode mergePatch(ObjectNode target, ObjectNode patch) {
        ObjectNode out = target.deepCopy();
        patch.fields().forEachRemaining(e -> {
            JsonNode value = e.getValue();
            if (value.isNull()) {
                out.remove(e.getKey());
            } else if (value.isObject() && out.get(e.getKey()) instanceof ObjectNode existing) {
                out.set(e.getKey(), mergePatch(existing, (ObjectNode) value));
            } else {
                out.set(e.getKey(), value);
            }
        });
        return out;
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw MemoryError.notFound(id);
        }
    }

    private static byte[] hash(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
