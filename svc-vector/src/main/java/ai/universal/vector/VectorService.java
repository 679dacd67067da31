package ai.universal.vector;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The native API (scopes: {@code vectors:read} to read and search, {@code vectors:write} to change points and
 * collections, {@code vectors:admin} for snapshots). A multi-tenant collection confines every call to the caller's
 * tenant, which is the token's subject.
 * <pre>
 * PUT    /v1/vectors/collections/{name}                       create {dimension, distance, m, ef_construct, ef_search,
 *                                                             storage, multi_tenant, text_field} → 201 info
 * GET    /v1/vectors/collections                              list → {collections: [config]}
 * GET    /v1/vectors/collections/{name}                       info → config + points, disk_bytes, segments, vector_bytes
 * DELETE /v1/vectors/collections/{name}                       delete → 204
 * PUT    /v1/vectors/collections/{name}/points?wait=true      upsert {points: [{id, vector, payload}]}
 * POST   /v1/vectors/collections/{name}/points/get            {ids, with_payload, with_vector} → {points}
 * POST   /v1/vectors/collections/{name}/points/delete?wait=   {ids} or {filter}
 * POST   /v1/vectors/collections/{name}/points/scroll         {filter, limit, offset, with_payload, with_vector}
 *                                                             → {points, next_offset}
 * POST   /v1/vectors/collections/{name}/points/count          {filter} → {count}
 * POST   /v1/vectors/collections/{name}/search                {vector, limit, offset, filter, score_threshold, ef,
 *                                                             with_payload, with_vector} → {hits: [{id, score, …}]}
 * POST   /v1/vectors/collections/{name}/search/batch          {searches: [search]} → {results: [{hits}]}
 * POST   /v1/vectors/collections/{name}/search/hybrid         {text, vector, limit, filter, weights: {vector, text},
 *                                                             rrf_k, candidates, with_payload, with_vector} → {hits}
 * POST   /v1/vectors/collections/{name}/optimize              {max_segments} (default 1) merge after a bulk load → info
 * POST   /v1/vectors/collections/{name}/snapshots             create → 201 {name, creation_time, size, checksum}
 * GET    /v1/vectors/collections/{name}/snapshots             list → {snapshots}
 * GET    /v1/vectors/collections/{name}/snapshots/{snap}      download (zip; X-Checksum-Sha256)
 * DELETE /v1/vectors/collections/{name}/snapshots/{snap}      delete → 204
 * POST   /v1/vectors/collections/{name}/snapshots/{snap}/restore  {target} (default: the same collection) → info
 * POST   /v1/vectors/collections/{name}/snapshots/upload?checksum=  body: archive → restore into {name} → info
 * </pre>
 */
final class VectorService implements HttpService {

    private static final String READ = "vectors:read";
    private static final String WRITE = "vectors:write";
    private static final String ADMIN = "vectors:admin";
    private static final String C = "/v1/vectors/collections";

    private final VectorStore store;
    private final Access access;

    VectorService(VectorStore store, Access access) {
        this.store = store;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(C, guard(READ, this::list))
                .put(C + "/{name}", guard(WRITE, this::create))
                .get(C + "/{name}", guard(READ, this::info))
                .delete(C + "/{name}", guard(WRITE, this::delete))
                .put(C + "/{name}/points", guard(WRITE, this::upsert))
                .post(C + "/{name}/points/get", guard(READ, this::getPoints))
                .post(C + "/{name}/points/delete", guard(WRITE, this::deletePoints))
                .post(C + "/{name}/points/scroll", guard(READ, this::scroll))
                .post(C + "/{name}/points/count", guard(READ, this::count))
                .post(C + "/{name}/search", guard(READ, this::search))
                .post(C + "/{name}/search/batch", guard(READ, this::searchBatch))
                .post(C + "/{name}/search/hybrid", guard(READ, this::hybrid))
                .post(C + "/{name}/optimize", guard(WRITE, this::optimize))
                .post(C + "/{name}/snapshots", guard(ADMIN, this::createSnapshot))
                .get(C + "/{name}/snapshots", guard(ADMIN, this::listSnapshots))
                .post(C + "/{name}/snapshots/upload", guard(ADMIN, this::upload))
                .get(C + "/{name}/snapshots/{snapshot}", guard(ADMIN, this::download))
                .delete(C + "/{name}/snapshots/{snapshot}", guard(ADMIN, this::deleteSnapshot))
                .post(C + "/{name}/snapshots/{snapshot}/restore", guard(ADMIN, this::restore));
    }

    private io.helidon.webserver.http.Handler guard(String scope, io.helidon.webserver.http.Handler h) {
        return access.scope(scope, Wire.domain(h));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        store.list().forEach(c -> list.add(c.toJson()));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.set("collections", list);
        res.send(out);
    }

    private void create(ServerRequest req, ServerResponse res) {
        CollectionConfig config = CollectionConfig.fromJson(name(req), Wire.object(Json.tree(req)));
        Collection c = store.create(config);
        res.status(Status.CREATED_201).send(infoJson(c.info(tenantOrNull(req))));
    }

    private void info(ServerRequest req, ServerResponse res) {
        res.send(infoJson(store.get(name(req)).info(tenantOrNull(req))));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        if (!store.delete(name)) {
            CollectionConfig.checkName(name);
            throw VectorException.notFound("collection '" + name + "' does not exist");
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    private void upsert(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        JsonNode body = Wire.object(Json.tree(req));
        List<Point> points = Wire.points(body.get("points"), "points");
        long op = c.upsert(tenant(req, c), points, waitParam(req));
        res.send(update(op, waitParam(req)));
    }

    private void getPoints(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        JsonNode body = Wire.object(Json.tree(req));
        List<Point> points = c.get(tenant(req, c), Wire.ids(body.get("ids"), "ids"), Wire.bool(body, "with_payload", true),
                                   Wire.bool(body, "with_vector", false));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = out.putArray("points");
        points.forEach(p -> arr.add(pointJson(p)));
        res.send(out);
    }

    private void deletePoints(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        JsonNode body = Wire.object(Json.tree(req));
        long op;
        if (body.has("ids") == body.has("filter")) {
            throw VectorException.badRequest("give either ids or filter");
        }
        if (body.has("ids")) {
            op = c.delete(tenant(req, c), Wire.ids(body.get("ids"), "ids"), waitParam(req));
        } else {
            op = c.deleteByFilter(tenant(req, c), body.get("filter"), waitParam(req));
        }
        res.send(update(op, waitParam(req)));
    }

    private void scroll(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        JsonNode body = Wire.object(Json.tree(req));
        JsonNode offset = body.get("offset");
        ScrollPage page = c.scroll(tenant(req, c), body.get("filter"), Wire.integer(body, "limit", 10),
                                   offset == null || offset.isNull() ? null : Wire.id(offset, "offset"),
                                   Wire.bool(body, "with_payload", true), Wire.bool(body, "with_vector", false));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = out.putArray("points");
        page.points().forEach(p -> arr.add(pointJson(p)));
        out.set("next_offset", page.nextOffset() == null ? JsonNodeFactory.instance.nullNode() : page.nextOffset().toJson());
        res.send(out);
    }

    private void count(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        JsonNode body = Wire.object(Json.tree(req));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("count", c.count(tenant(req, c), body.get("filter")));
        res.send(out);
    }

    private void search(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        List<ScoredPoint> hits = c.search(tenant(req, c), searchRequest(Wire.object(Json.tree(req))));
        res.send(hitsJson(hits));
    }

    private void searchBatch(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        JsonNode searches = Wire.object(Json.tree(req)).get("searches");
        if (searches == null || !searches.isArray()) {
            throw VectorException.badRequest("searches must be an array of searches");
        }
        List<SearchRequest> requests = new ArrayList<>();
        for (JsonNode s : searches) {
            requests.add(searchRequest(Wire.object(s)));
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode results = out.putArray("results");
        c.searchBatch(tenant(req, c), requests).forEach(hits -> results.add(hitsJson(hits)));
        res.send(out);
    }

    private void hybrid(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        JsonNode body = Wire.object(Json.tree(req));
        JsonNode text = body.get("text");
        if (text == null || !text.isTextual()) {
            throw VectorException.badRequest("text must be a string");
        }
        JsonNode weights = Wire.object(body.get("weights"));
        int limit = Wire.integer(body, "limit", 10);
        Float vw = Wire.optionalFloat(weights, "vector");
        Float tw = Wire.optionalFloat(weights, "text");
        HybridRequest r = new HybridRequest(text.textValue(), Vectors.fromJson(body.get("vector"), "vector"), limit,
                                            body.get("filter"), vw == null ? 1f : vw, tw == null ? 1f : tw,
                                            Wire.integer(body, "rrf_k", HybridRequest.DEFAULT_RRF_K),
                                            Wire.integer(body, "candidates", Math.max(limit, 100)),
                                            Wire.bool(body, "with_payload", true), Wire.bool(body, "with_vector", false));
        res.send(hitsJson(c.hybrid(tenant(req, c), r)));
    }

    private void optimize(ServerRequest req, ServerResponse res) {
        Collection c = store.get(name(req));
        JsonNode body = Wire.object(req.content().hasEntity() ? Json.tree(req) : null);
        c.optimize(Wire.integer(body, "max_segments", 1));
        res.send(infoJson(c.info(tenantOrNull(req))));
    }

    private void createSnapshot(ServerRequest req, ServerResponse res) {
        res.status(Status.CREATED_201).send(snapshotJson(store.createSnapshot(name(req))));
    }

    private void listSnapshots(ServerRequest req, ServerResponse res) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = out.putArray("snapshots");
        store.listSnapshots(name(req)).forEach(s -> arr.add(snapshotJson(s)));
        res.send(out);
    }

    private void download(ServerRequest req, ServerResponse res) throws Exception {
        sendSnapshot(store, name(req), req.path().pathParameters().get("snapshot"), res);
    }

    private void deleteSnapshot(ServerRequest req, ServerResponse res) {
        store.deleteSnapshot(name(req), req.path().pathParameters().get("snapshot"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void restore(ServerRequest req, ServerResponse res) {
        String name = name(req);
        JsonNode body = Wire.object(req.content().hasEntity() ? Json.tree(req) : null);
        JsonNode target = body.get("target");
        String into = target == null || target.isNull() ? name : target.asText();
        Collection c = store.restore(name, req.path().pathParameters().get("snapshot"), into);
        res.send(infoJson(c.info(tenantOrNull(req))));
    }

    private void upload(ServerRequest req, ServerResponse res) throws Exception {
        String name = name(req);
        CollectionConfig.checkName(name);
        Path tmp = Files.createTempFile(store.snapshotRoot(), "upload-", ".snapshot");
        try {
            try (InputStream in = req.content().inputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            String checksum = req.query().first("checksum").asOptional().orElse(null);
            Collection c = store.restoreArchive(tmp, name, checksum);
            res.send(infoJson(c.info(tenantOrNull(req))));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Streams a snapshot archive with its checksum header.
     *
     * @param store    store
     * @param name     collection
     * @param snapshot snapshot
     * @param res      response
     * @throws Exception on I/O failure
     */
    static void sendSnapshot(VectorStore store, String name, String snapshot, ServerResponse res) throws Exception {
        SnapshotInfo info = store.snapshotInfo(name, snapshot);
        Path file = store.snapshotFile(name, snapshot);
        res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + info.name() + "\"");
        res.header("X-Checksum-Sha256", info.checksum());
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(info.size()));
        try (OutputStream out = res.outputStream()) {
            Files.copy(file, out);
        }
    }

    private String tenant(ServerRequest req, Collection c) {
        return c.config().multiTenant() ? access.principal(req).subject() : null;
    }

    private String tenantOrNull(ServerRequest req) {
        return access.principal(req).subject();
    }

    private static String name(ServerRequest req) {
        return req.path().pathParameters().get("name");
    }

    private static boolean waitParam(ServerRequest req) {
        return req.query().first("wait").asOptional().map(Boolean::parseBoolean).orElse(true);
    }

    private static SearchRequest searchRequest(JsonNode body) {
        return new SearchRequest(Vectors.fromJson(body.get("vector"), "vector"), Wire.integer(body, "limit", 10),
                                 Wire.integer(body, "offset", 0), body.get("filter"),
                                 Wire.optionalFloat(body, "score_threshold"), Wire.optionalInteger(body, "ef"),
                                 Wire.bool(body, "with_payload", true), Wire.bool(body, "with_vector", false));
    }

    private static ObjectNode update(long op, boolean waited) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("operation_id", op);
        out.put("status", waited ? "completed" : "acknowledged");
        return out;
    }

    static ObjectNode infoJson(CollectionInfo info) {
        ObjectNode out = info.config().toJson();
        out.put("points", info.points());
        out.put("disk_bytes", info.diskBytes());
        out.put("vector_bytes", info.vectorBytes());
        out.put("segments", info.segments());
        return out;
    }

    static ObjectNode snapshotJson(SnapshotInfo s) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("name", s.name());
        out.put("creation_time", s.creationTime().toString());
        out.put("size", s.size());
        out.put("checksum", s.checksum());
        return out;
    }

    private static ObjectNode pointJson(Point p) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("id", p.id().toJson());
        if (p.payload() != null) {
            o.set("payload", p.payload());
        }
        if (p.vector() != null) {
            o.set("vector", Vectors.toJson(p.vector()));
        }
        return o;
    }

    private static ObjectNode hitsJson(List<ScoredPoint> hits) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = out.putArray("hits");
        for (ScoredPoint h : hits) {
            ObjectNode o = arr.addObject();
            o.set("id", h.id().toJson());
            o.put("score", h.score());
            if (h.payload() != null) {
                o.set("payload", h.payload());
            }
            if (h.vector() != null) {
                o.set("vector", Vectors.toJson(h.vector()));
            }
        }
        return out;
    }
}
