package ai.universal.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.http.Method;

/**
 * The memories' vectors in svc-vector (native API; writes use its default {@code wait=true}: durable and searchable on
 * answer — no query string, which svc-kit's client would percent-encode into the path): one collection (cosine, not
 * multi-tenant: svc-memory's relay writes every user's points with its own key), point id = memory id, payload
 * {@code {owner, scope}}. Every search is confined to one owner by a payload filter, and its hits are checked against
 * PostgreSQL again before anyone sees them.
 */
final class VectorIndex {
    private final Upstream vector;
    private final String collection;
    private final int dimension;

    /**
     * A hit.
     *
     * @param id    memory id
     * @param score cosine similarity
     */
    record Hit(String id, double score) {
    }

    /**
     * A point to write.
     *
     * @param id     memory id
     * @param vector vector
     * @param owner  owner
     * @param scope  scope
     */
    record Point(String id, float[] vector, String owner, String scope) {
    }

    VectorIndex(Upstream vector, String collection, int dimension) {
        this.vector = vector;
        this.collection = collection;
        this.dimension = dimension;
    }

    String collection() {
        return collection;
    }

    /**
     * Create the collection unless it exists.
     */
    void ensureCollection() {
        Upstream.Reply reply = vector.call(Method.PUT, base(), Map.of("dimension", dimension, "distance", "cosine"));
        if (!reply.ok() && reply.status() != 409) {
            throw new Upstream.UnavailableException("svc-vector answered " + reply.status() + " creating collection '"
                                                            + collection + "': " + reply.excerpt(), reply.status(), null);
        }
    }

    /**
     * Drop the collection (if any) and create it empty.
     */
    void recreate() {
        Upstream.Reply reply = vector.call(Method.DELETE, base(), null);
        if (!reply.ok() && reply.status() != 404) {
            throw new Upstream.UnavailableException("svc-vector answered " + reply.status() + " deleting collection '"
                                                            + collection + "': " + reply.excerpt(), reply.status(), null);
        }
        ensureCollection();
    }

    /**
     * Write points (durable and searchable when this returns), creating the collection on first use.
     *
     * @param points points
     */
    void upsert(List<Point> points) {
        if (points.isEmpty()) {
            return;
        }
        List<Map<String, Object>> body = new ArrayList<>();
        for (Point p : points) {
            body.add(Map.of("id", p.id(), "vector", p.vector(), "payload", Map.of("owner", p.owner(), "scope", p.scope())));
        }
        Upstream.Reply reply = vector.call(Method.PUT, base() + "/points", Map.of("points", body));
        if (reply.status() == 404) {
            ensureCollection();
            reply = vector.call(Method.PUT, base() + "/points", Map.of("points", body));
        }
        if (!reply.ok()) {
            throw new Upstream.UnavailableException("svc-vector answered " + reply.status() + " to an upsert: "
                                                            + reply.excerpt(), reply.status(), null);
        }
    }

    /**
     * Remove points (missing ones are fine).
     *
     * @param ids memory ids
     */
    void delete(List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        // Only ids that are there: svc-vector (at this version) answers 500 to a delete naming an absent id, and a
        // memory deleted before the relay indexed it never was there.
        Upstream.Reply found = vector.call(Method.POST, base() + "/points/get",
                                           Map.of("ids", ids, "with_payload", false, "with_vector", false));
        if (found.status() == 404) {
            return;
        }
        if (!found.ok()) {
            throw new Upstream.UnavailableException("svc-vector answered " + found.status() + " to a points lookup: "
                                                            + found.excerpt(), found.status(), null);
        }
        List<String> present = new ArrayList<>();
        found.json().path("points").forEach(p -> present.add(p.path("id").asText()));
        if (present.isEmpty()) {
            return;
        }
        Upstream.Reply reply = vector.call(Method.POST, base() + "/points/delete", Map.of("ids", present));
        if (!reply.ok() && reply.status() != 404) {
            throw new Upstream.UnavailableException("svc-vector answered " + reply.status() + " to a delete: "
                                                            + reply.excerpt(), reply.status(), null);
        }
    }

    /**
     * Nearest memories of one owner.
     *
     * @param query     query vector
     * @param owner     owner
     * @param scopes    scopes (any of), or null
     * @param ids       restrict to these ids, or null
     * @param limit     most hits
     * @param threshold least cosine, or null
     * @return hits, best first; empty when the collection does not exist yet
     */
    List<Hit> search(float[] query, String owner, List<String> scopes, List<String> ids, int limit, Double threshold) {
        JsonNode body = run(base() + "/search", searchBody(query, owner, scopes, ids, limit, threshold));
        return body == null ? List.of() : hits(body.path("hits"));
    }

    /**
     * One nearest-neighbour search per query vector, same owner and scope for all.
     *
     * @param queries   vectors
     * @param owner     owner
     * @param scopes    per query: the scope to stay in
     * @param threshold least cosine
     * @return hits per query
     */
    List<List<Hit>> searchEach(List<float[]> queries, String owner, List<String> scopes, double threshold) {
        List<Map<String, Object>> searches = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            searches.add(searchBody(queries.get(i), owner, List.of(scopes.get(i)), null, 1, threshold));
        }
        JsonNode body = run(base() + "/search/batch", Map.of("searches", searches));
        List<List<Hit>> out = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            out.add(body == null ? List.of() : hits(body.path("results").path(i).path("hits")));
        }
        return out;
    }

    private JsonNode run(String path, Object body) {
        Upstream.Reply reply = vector.call(Method.POST, path, body);
        if (reply.status() == 404) {
            return null;
        }
        if (!reply.ok()) {
            throw new Upstream.UnavailableException("svc-vector answered " + reply.status() + " to a search: "
                                                            + reply.excerpt(), reply.status(), null);
        }
        return reply.json();
    }

    private static Map<String, Object> searchBody(float[] query, String owner, List<String> scopes, List<String> ids,
                                                  int limit, Double threshold) {
        List<Object> must = new ArrayList<>();
        must.add(Map.of("key", "owner", "match", Map.of("value", owner)));
        if (scopes != null) {
            must.add(Map.of("key", "scope", "match", Map.of("any", scopes)));
        }
        if (ids != null) {
            must.add(Map.of("has_id", ids));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("vector", query);
        body.put("limit", limit);
        body.put("filter", Map.of("must", must));
        body.put("with_payload", false);
        if (threshold != null) {
            body.put("score_threshold", threshold);
        }
        return body;
    }

    private static List<Hit> hits(JsonNode hits) {
        List<Hit> out = new ArrayList<>();
        for (JsonNode h : hits) {
            out.add(new Hit(h.path("id").asText(), h.path("score").asDouble()));
        }
        return out;
    }

    private String base() {
        return "/v1/vectors/collections/" + collection;
    }
}
