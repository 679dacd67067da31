package ai.universal.vector;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.ProblemException;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Qdrant-compatible REST subset: Qdrant clients work with base URL {@code http://host:8080/v1/vectors/qdrant}
 * and the {@code api-key} header (a platform API key) or {@code Authorization: Bearer}. Bodies are Qdrant's:
 * {@code {"result": …, "status": "ok", "time": seconds}}; errors {@code {"status": {"error": "…"}, "time": …}}.
 * <pre>
 * GET    /collections                                   list
 * PUT    /collections/{name}                            create {vectors: {size, distance}, hnsw_config, quantization_config}
 * GET    /collections/{name}                            info
 * GET    /collections/{name}/exists                     {exists}
 * DELETE /collections/{name}                            delete
 * PUT    /collections/{name}/points?wait=true           upsert {points: [...]} or {batch: {ids, vectors, payloads}}
 * POST   /collections/{name}/points                     retrieve {ids, with_payload, with_vector}
 * GET    /collections/{name}/points/{id}                retrieve one
 * POST   /collections/{name}/points/delete?wait=true    {points: [ids]} or {filter}
 * POST   /collections/{name}/points/scroll              {filter, limit, offset, with_payload, with_vector}
 * POST   /collections/{name}/points/count               {filter, exact}
 * POST   /collections/{name}/points/search              {vector, filter, limit, offset, with_payload, with_vector,
 *                                                       score_threshold, params: {hnsw_ef, exact}}
 * POST   /collections/{name}/points/search/batch        {searches: [...]}
 * POST   /collections/{name}/points/query               {query: vector | {nearest: vector} | id, …}
 * POST   /collections/{name}/snapshots                  create
 * GET    /collections/{name}/snapshots                  list
 * GET    /collections/{name}/snapshots/{snapshot}       download
 * DELETE /collections/{name}/snapshots/{snapshot}       delete
 * PUT    /collections/{name}/snapshots/recover          {location, checksum}: a snapshot of this service
 * </pre>
 * Distances: Cosine, Dot (any length: max inner product), Euclid; scores as Qdrant gives them (similarity, or distance
 * for Euclid). Quantization: {@code {"scalar": {"type": "int8"}}}. Extensions (ignored by real Qdrant):
 * {@code multi_tenant}, {@code text_field} on create.
 */
final class QdrantApi implements HttpService {

    private static final String P = VectorApp.QDRANT_PREFIX + "/collections";
    private static final Pattern SNAPSHOT_URL = Pattern.compile("collections/([A-Za-z0-9_-]+)/snapshots/([^/?#]+)");

    private final VectorStore store;
    private final Access access;

    QdrantApi(VectorStore store, Access access) {
        this.store = store;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(P, guard("vectors:read", this::list))
                .put(P + "/{name}", guard("vectors:write", this::create))
                .get(P + "/{name}", guard("vectors:read", this::info))
                .get(P + "/{name}/exists", guard("vectors:read", this::exists))
                .delete(P + "/{name}", guard("vectors:write", this::delete))
                .put(P + "/{name}/points", guard("vectors:write", this::upsert))
                .post(P + "/{name}/points", guard("vectors:read", this::retrieve))
                .post(P + "/{name}/points/delete", guard("vectors:write", this::deletePoints))
                .post(P + "/{name}/points/scroll", guard("vectors:read", this::scroll))
                .post(P + "/{name}/points/count", guard("vectors:read", this::count))
                .post(P + "/{name}/points/search", guard("vectors:read", this::search))
                .post(P + "/{name}/points/search/batch", guard("vectors:read", this::searchBatch))
                .post(P + "/{name}/points/query", guard("vectors:read", this::query))
                .get(P + "/{name}/points/{id}", guard("vectors:read", this::retrieveOne))
                .post(P + "/{name}/snapshots", guard("vectors:admin", this::createSnapshot))
                .get(P + "/{name}/snapshots", guard("vectors:admin", this::listSnapshots))
                .put(P + "/{name}/snapshots/recover", guard("vectors:admin", this::recover))
                .get(P + "/{name}/snapshots/{snapshot}", guard("vectors:admin", this::download))
                .delete(P + "/{name}/snapshots/{snapshot}", guard("vectors:admin", this::deleteSnapshot));
    }

    private Handler guard(String scope, QdrantHandler h) {
        return access.scope(scope, (req, res) -> {
            long start = System.nanoTime();
            try {
                JsonNode result = h.handle(req, res);
                if (result != null) {
                    ObjectNode out = JsonNodeFactory.instance.objectNode();
                    out.set("result", result);
                    out.put("status", "ok");
                    out.put("time", (System.nanoTime() - start) / 1e9);
                    res.send(out);
                }
            } catch (VectorException e) {
                throw qdrantProblem(e);
            }
        });
    }

    private static ProblemException qdrantProblem(VectorException e) {
        return switch (e.kind()) {
            case BAD_REQUEST -> ProblemException.badRequest("Wrong input: " + e.getMessage());
            case NOT_FOUND -> ProblemException.notFound("Not found: " + e.getMessage());
            default -> Wire.problem(e);
        };
    }

    private JsonNode list(ServerRequest req, ServerResponse res) {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = result.putArray("collections");
        store.list().forEach(c -> arr.addObject().put("name", c.name()));
        return result;
    }

    private JsonNode create(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        CollectionConfig.checkName(name);
        if (store.exists(name)) {
            throw ProblemException.conflict("conflict", "Wrong input: Collection `" + name + "` already exists!");
        }
        JsonNode body = Wire.object(Json.tree(req));
        JsonNode vectors = body.get("vectors");
        if (vectors == null || !vectors.isObject()) {
            throw VectorException.badRequest("vectors must be an object {size, distance}");
        }
        if (!vectors.has("size")) {
            throw VectorException.badRequest("named vectors are not supported; use one unnamed vector {size, distance}");
        }
        JsonNode hnsw = Wire.object(vectors.has("hnsw_config") ? vectors.get("hnsw_config") : body.get("hnsw_config"));
        JsonNode quant = vectors.has("quantization_config") ? vectors.get("quantization_config")
                : body.get("quantization_config");
        JsonNode textField = body.get("text_field");
        CollectionConfig config = new CollectionConfig(
                name, Wire.integer(vectors, "size", -1), distance(vectors.get("distance")),
                Wire.integer(hnsw, "m", CollectionConfig.DEFAULT_M),
                Wire.integer(hnsw, "ef_construct", CollectionConfig.DEFAULT_EF_CONSTRUCT),
                Wire.integer(hnsw, "ef", CollectionConfig.DEFAULT_EF_SEARCH), storage(quant),
                Wire.bool(body, "multi_tenant", false), textField == null || textField.isNull() ? null : textField.asText());
        store.create(config);
        return JsonNodeFactory.instance.booleanNode(true);
    }

    private JsonNode info(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        CollectionInfo info = c.info(c.config().multiTenant() ? access.principal(req).subject() : null);
        CollectionConfig cfg = info.config();
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("status", "green");
        r.put("optimizer_status", "ok");
        r.put("indexed_vectors_count", info.points());
        r.put("points_count", info.points());
        r.put("segments_count", info.segments());
        ObjectNode config = r.putObject("config");
        ObjectNode params = config.putObject("params");
        ObjectNode vectors = params.putObject("vectors");
        vectors.put("size", cfg.dimension());
        vectors.put("distance", qdrantDistance(cfg.distance()));
        params.put("shard_number", 1);
        params.put("replication_factor", 1);
        params.put("write_consistency_factor", 1);
        params.put("on_disk_payload", true);
        ObjectNode hnsw = config.putObject("hnsw_config");
        hnsw.put("m", cfg.m());
        hnsw.put("ef_construct", cfg.efConstruct());
        hnsw.put("full_scan_threshold", 10000);
        hnsw.put("max_indexing_threads", 0);
        hnsw.put("on_disk", true);
        ObjectNode opt = config.putObject("optimizer_config");
        opt.put("deleted_threshold", 0.2);
        opt.put("vacuum_min_vector_number", 1000);
        opt.put("default_segment_number", 0);
        opt.putNull("max_segment_size");
        opt.putNull("memmap_threshold");
        opt.put("indexing_threshold", 0);
        opt.put("flush_interval_sec", 0);
        opt.putNull("max_optimization_threads");
        ObjectNode wal = config.putObject("wal_config");
        wal.put("wal_capacity_mb", 0);
        wal.put("wal_segments_ahead", 0);
        if (cfg.storage() == Storage.FLOAT32) {
            config.putNull("quantization_config");
        } else {
            ObjectNode scalar = config.putObject("quantization_config").putObject("scalar");
            scalar.put("type", cfg.storage().wireName());
            scalar.put("always_ram", true);
        }
        r.putObject("payload_schema");
        return r;
    }

    private JsonNode exists(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        CollectionConfig.checkName(name);
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("exists", store.exists(name));
        return r;
    }

    private JsonNode delete(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        CollectionConfig.checkName(name);
        return JsonNodeFactory.instance.booleanNode(store.delete(name));
    }

    private JsonNode upsert(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        JsonNode body = Wire.object(Json.tree(req));
        List<Point> points;
        if (body.has("points")) {
            points = Wire.points(body.get("points"), "points").stream()
                    .map(p -> new Point(uuid(p.id()), p.vector(), p.payload())).toList();
        } else if (body.has("batch")) {
            points = batch(body.get("batch"));
        } else {
            throw VectorException.badRequest("body must have points or batch");
        }
        boolean wait = waitParam(req);
        return updateResult(c.upsert(tenant(req, c), points, wait), wait);
    }

    private JsonNode retrieve(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        JsonNode body = Wire.object(Json.tree(req));
        Wire.PayloadSelector sel = Wire.payloadSelector(body.get("with_payload"), true);
        boolean withVector = withVector(body);
        List<Point> points = c.get(tenant(req, c), ids(body.get("ids"), "ids"), sel.enabled(), withVector);
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        points.forEach(p -> arr.add(record(p, sel)));
        return arr;
    }

    private JsonNode retrieveOne(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        String raw = req.path().pathParameters().get("id");
        PointId id = raw.chars().allMatch(Character::isDigit) && !raw.isEmpty() && raw.length() < 21
                ? Wire.id(JsonNodeFactory.instance.numberNode(new java.math.BigInteger(raw)), "id")
                : uuid(PointId.ofString(raw));
        List<Point> points = c.get(tenant(req, c), List.of(id), true, true);
        if (points.isEmpty()) {
            throw ProblemException.notFound("Not found: No point with id " + raw + " found");
        }
        return record(points.getFirst(), Wire.PayloadSelector.ALL);
    }

    private JsonNode deletePoints(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        JsonNode body = Wire.object(Json.tree(req));
        boolean wait = waitParam(req);
        if (body.has("points")) {
            return updateResult(c.delete(tenant(req, c), ids(body.get("points"), "points"), wait), wait);
        }
        if (body.has("filter")) {
            return updateResult(c.deleteByFilter(tenant(req, c), body.get("filter"), wait), wait);
        }
        throw VectorException.badRequest("body must have points or filter");
    }

    private JsonNode scroll(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        JsonNode body = Wire.object(Json.tree(req));
        Wire.PayloadSelector sel = Wire.payloadSelector(body.get("with_payload"), true);
        JsonNode offset = body.get("offset");
        ScrollPage page = c.scroll(tenant(req, c), body.get("filter"), Wire.integer(body, "limit", 10),
                                   offset == null || offset.isNull() ? null : uuid(Wire.id(offset, "offset")),
                                   sel.enabled(), withVector(body));
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = r.putArray("points");
        page.points().forEach(p -> arr.add(record(p, sel)));
        r.set("next_page_offset", page.nextOffset() == null ? JsonNodeFactory.instance.nullNode()
                : page.nextOffset().toJson());
        return r;
    }

    private JsonNode count(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        JsonNode body = Wire.object(Json.tree(req));
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("count", c.count(tenant(req, c), body.get("filter")));
        return r;
    }

    private JsonNode search(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        JsonNode body = Wire.object(Json.tree(req));
        return scored(c.search(tenant(req, c), searchRequest(body, vector(body.get("vector"), "vector"), 10)),
                      Wire.payloadSelector(body.get("with_payload"), false));
    }

    private JsonNode searchBatch(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        JsonNode searches = Wire.object(Json.tree(req)).get("searches");
        if (searches == null || !searches.isArray()) {
            throw VectorException.badRequest("searches must be an array");
        }
        List<SearchRequest> requests = new ArrayList<>();
        List<Wire.PayloadSelector> selectors = new ArrayList<>();
        for (JsonNode s : searches) {
            JsonNode body = Wire.object(s);
            requests.add(searchRequest(body, vector(body.get("vector"), "vector"), 10));
            selectors.add(Wire.payloadSelector(body.get("with_payload"), false));
        }
        List<List<ScoredPoint>> results = c.searchBatch(tenant(req, c), requests);
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < results.size(); i++) {
            arr.add(scored(results.get(i), selectors.get(i)));
        }
        return arr;
    }

    private JsonNode query(ServerRequest req, ServerResponse res) {
        Collection c = collection(req);
        JsonNode body = Wire.object(Json.tree(req));
        JsonNode q = body.get("query");
        if (q == null || q.isNull()) {
            throw VectorException.badRequest("query is required: a vector, {\"nearest\": vector} or a point id");
        }
        if (body.has("prefetch")) {
            throw VectorException.badRequest("prefetch is not supported; use the native hybrid search");
        }
        float[] vector;
        if (q.isArray()) {
            vector = Vectors.fromJson(q, "query");
        } else if (q.isObject() && q.has("nearest")) {
            vector = vector(q.get("nearest"), "query.nearest");
        } else if (q.isIntegralNumber() || q.isTextual()) {
            PointId id = uuid(Wire.id(q, "query"));
            List<Point> found = c.get(tenant(req, c), List.of(id), false, true);
            if (found.isEmpty()) {
                throw ProblemException.notFound("Not found: No point with id " + q.asText() + " found");
            }
            vector = found.getFirst().vector();
        } else {
            throw VectorException.badRequest("query must be a vector, {\"nearest\": vector} or a point id");
        }
        List<ScoredPoint> hits = c.search(tenant(req, c), searchRequest(body, vector, 10));
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.set("points", scored(hits, Wire.payloadSelector(body.get("with_payload"), false)));
        return r;
    }

    private JsonNode createSnapshot(ServerRequest req, ServerResponse res) {
        collection(req);
        return snapshot(store.createSnapshot(req.path().pathParameters().get("name")));
    }

    private JsonNode listSnapshots(ServerRequest req, ServerResponse res) {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        store.listSnapshots(req.path().pathParameters().get("name")).forEach(s -> arr.add(snapshot(s)));
        return arr;
    }

    private JsonNode download(ServerRequest req, ServerResponse res) throws Exception {
        VectorService.sendSnapshot(store, req.path().pathParameters().get("name"),
                                   req.path().pathParameters().get("snapshot"), res);
        return null;
    }

    private JsonNode deleteSnapshot(ServerRequest req, ServerResponse res) {
        store.deleteSnapshot(req.path().pathParameters().get("name"), req.path().pathParameters().get("snapshot"));
        return JsonNodeFactory.instance.booleanNode(true);
    }

    private JsonNode recover(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        CollectionConfig.checkName(name);
        JsonNode body = Wire.object(Json.tree(req));
        JsonNode location = body.get("location");
        if (location == null || !location.isTextual()) {
            throw VectorException.badRequest("location must be a string");
        }
        String checksum = body.hasNonNull("checksum") ? body.get("checksum").asText() : null;
        String loc = location.textValue();
        Matcher m = SNAPSHOT_URL.matcher(loc);
        if (m.find()) {
            Path file = store.snapshotFile(m.group(1), m.group(2));
            store.restoreArchive(file, name, checksum == null ? store.snapshotInfo(m.group(1), m.group(2)).checksum()
                    : checksum);
            return JsonNodeFactory.instance.booleanNode(true);
        }
        if (loc.startsWith("file://")) {
            Path file = Path.of(loc.substring("file://".length())).toAbsolutePath().normalize();
            Path root = store.snapshotRoot().toAbsolutePath().normalize();
            if (!file.startsWith(root) || !java.nio.file.Files.isRegularFile(file)) {
                throw VectorException.badRequest("location must be a snapshot file under this service's snapshot folder");
            }
            store.restoreArchive(file, name, checksum);
            return JsonNodeFactory.instance.booleanNode(true);
        }
        throw VectorException.badRequest("location must be a URL ending in /collections/{name}/snapshots/{snapshot} "
                + "of this service, or a file:// path in its snapshot folder");
    }

    private Collection collection(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        CollectionConfig.checkName(name);
        if (!store.exists(name)) {
            throw ProblemException.notFound("Not found: Collection `" + name + "` doesn't exist!");
        }
        return store.get(name);
    }

    private String tenant(ServerRequest req, Collection c) {
        return c.config().multiTenant() ? access.principal(req).subject() : null;
    }

    private static boolean waitParam(ServerRequest req) {
        return req.query().first("wait").asOptional().map(Boolean::parseBoolean).orElse(false);
    }

    private static Distance distance(JsonNode d) {
        if (d == null || !d.isTextual()) {
            throw VectorException.badRequest("vectors.distance must be one of Cosine, Euclid, Dot");
        }
        return switch (d.textValue().toLowerCase(Locale.ROOT)) {
            case "cosine" -> Distance.COSINE;
            case "euclid" -> Distance.EUCLIDEAN;
            case "dot" -> Distance.MAX_INNER_PRODUCT;
            default -> throw VectorException.badRequest("vectors.distance '" + d.textValue()
                    + "' is not supported; use Cosine, Euclid or Dot");
        };
    }

    private static String qdrantDistance(Distance d) {
        return switch (d) {
            case COSINE -> "Cosine";
            case EUCLIDEAN -> "Euclid";
            case DOT, MAX_INNER_PRODUCT -> "Dot";
        };
    }

    private static Storage storage(JsonNode quant) {
        if (quant == null || quant.isNull()) {
            return Storage.FLOAT32;
        }
        JsonNode scalar = quant.get("scalar");
        if (scalar == null || !scalar.isObject()) {
            throw VectorException.badRequest("quantization_config supports only {\"scalar\": {\"type\": \"int8\"}}");
        }
        JsonNode type = scalar.get("type");
        if (type == null || !"int8".equals(type.asText())) {
            throw VectorException.badRequest("quantization_config.scalar.type must be int8");
        }
        return Storage.INT8;
    }

    private static float[] vector(JsonNode v, String what) {
        if (v != null && v.isObject() && v.has("vector")) {
            JsonNode name = v.get("name");
            if (name != null && !name.asText().isEmpty()) {
                throw VectorException.badRequest("named vectors are not supported");
            }
            return Vectors.fromJson(v.get("vector"), what + ".vector");
        }
        return Vectors.fromJson(v, what);
    }

    private static boolean withVector(JsonNode body) {
        JsonNode v = body.get("with_vector");
        if (v == null || v.isNull()) {
            v = body.get("with_vectors");
        }
        return v != null && !v.isNull() && (!v.isBoolean() || v.booleanValue());
    }

    private static SearchRequest searchRequest(JsonNode body, float[] vector, int defaultLimit) {
        JsonNode params = Wire.object(body.get("params"));
        Integer ef = Wire.optionalInteger(params, "hnsw_ef");
        if (Wire.bool(params, "exact", false)) {
            ef = CollectionConfig.MAX_EF;
        }
        return new SearchRequest(vector, Wire.integer(body, "limit", defaultLimit), Wire.integer(body, "offset", 0),
                                 body.get("filter"), Wire.optionalFloat(body, "score_threshold"), ef,
                                 Wire.payloadSelector(body.get("with_payload"), false).enabled(), withVector(body));
    }

    private static List<PointId> ids(JsonNode array, String what) {
        List<PointId> ids = new ArrayList<>();
        for (PointId id : Wire.ids(array, what)) {
            ids.add(uuid(id));
        }
        return ids;
    }

    /** Qdrant normalizes UUID ids to lower-case hyphenated form; so do we for lookups. */
    private static PointId uuid(PointId id) {
        if (id.numeric()) {
            return id;
        }
        try {
            return PointId.ofString(UUID.fromString(id.value()).toString());
        } catch (IllegalArgumentException e) {
            return id;
        }
    }

    private static List<Point> batch(JsonNode batch) {
        JsonNode ids = batch.get("ids");
        JsonNode vectors = batch.get("vectors");
        JsonNode payloads = batch.get("payloads");
        if (ids == null || !ids.isArray() || vectors == null || !vectors.isArray() || vectors.size() != ids.size()) {
            throw VectorException.badRequest("batch needs ids and vectors arrays of the same length");
        }
        if (payloads != null && !payloads.isNull() && (!payloads.isArray() || payloads.size() != ids.size())) {
            throw VectorException.badRequest("batch.payloads must have one entry per id");
        }
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            out.add(new Point(uuid(Wire.id(ids.get(i), "batch.ids[" + i + "]")),
                              Vectors.fromJson(vectors.get(i), "batch.vectors[" + i + "]"),
                              payloads == null || payloads.isNull() ? null
                                      : Wire.payload(payloads.get(i), "batch.payloads[" + i + "]")));
        }
        return out;
    }

    private static ObjectNode updateResult(long op, boolean waited) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("operation_id", op);
        r.put("status", waited ? "completed" : "acknowledged");
        return r;
    }

    private static ObjectNode record(Point p, Wire.PayloadSelector sel) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("id", p.id().toJson());
        if (sel.enabled()) {
            o.set("payload", sel.apply(p.payload()));
        }
        if (p.vector() != null) {
            o.set("vector", Vectors.toJson(p.vector()));
        }
        return o;
    }

    private static ArrayNode scored(List<ScoredPoint> hits, Wire.PayloadSelector sel) {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (ScoredPoint h : hits) {
            ObjectNode o = arr.addObject();
            o.set("id", h.id().toJson());
            o.put("version", 0);
            o.put("score", h.score());
            if (sel.enabled()) {
                o.set("payload", sel.apply(h.payload()));
            }
            if (h.vector() != null) {
                o.set("vector", Vectors.toJson(h.vector()));
            }
        }
        return arr;
    }

    private static ObjectNode snapshot(SnapshotInfo s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", s.name());
        o.put("creation_time", LocalDateTime.ofInstant(s.creationTime(), ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                .toString());
        o.put("size", s.size());
        o.put("checksum", s.checksum());
        return o;
    }

    @FunctionalInterface
    private interface QdrantHandler {
        JsonNode handle(ServerRequest req, ServerResponse res) throws Exception;
    }
}
