package ai.universal.memory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.universal.kit.auth.Principal;
import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.Problem;
import ai.universal.kit.http.ProblemException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * svc-memory's HTTP API. Reads need scope {@code memories:read}, writes {@code memories:write}; admin routes the role
 * {@code admin}. The owner is the caller ({@code sub}); an admin or a {@code service} may act for a user with
 * {@code user_id} (query parameter, or body member of a POST). Another user's ids answer 404, like unknown ones.
 * <pre>
 * POST   /v1/memories                 {memory} or {"memories": [...], "dedupe"?} → 201 added / 200 updated|unchanged
 * GET    /v1/memories                 ?scope&agent_id&run_id&created_after…&include_expired&metadata&limit&cursor
 *                                     → {memories, next_cursor}
 * DELETE /v1/memories                 same filters (or JSON body {filters}), dry_run, all → {matched, deleted, dry_run}
 * POST   /v1/memories/search          {query, limit?, filters?, min_score?, weights?, recency_half_life_hours?}
 *                                     → {results: [{id, text, metadata, …, score, scores}], semantic}
 * GET    /v1/memories/export          same filters → NDJSON, one memory per line
 * POST   /v1/memories/import          NDJSON (application/x-ndjson) or {"memories": [...]} → {imported, added, updated,
 *                                     unchanged, ids}
 * GET    /v1/memories/{id}            ?include_expired → memory
 * PATCH  /v1/memories/{id}            {text?, metadata? (merge patch), scope?, agent_id?, run_id?, importance?,
 *                                      expires_at? | expires_in?} → memory
 * DELETE /v1/memories/{id}            → 204
 * GET    /v1/memories/{id}/history    → {id, history: [{event, reason, actor, at, previous, current}]}
 * POST   /v1/memories/admin/reindex   {reembed?} → 202 {queued, collection}          role admin
 * POST   /v1/memories/admin/purge     → {purged}                                     role admin
 * GET    /v1/memories/admin/outbox    → {pending, failing, oldest_pending_at, last_error}  role admin
 * </pre>
 */
final class MemoryService implements HttpService {
    static final String BASE = "/v1/memories";
    private static final int MAX_LIMIT = 100;

    private final Memories memories;
    private final MemoryInput input;
    private final MemorySettings settings;
    private final Access access;

    MemoryService(Memories memories, MemorySettings settings, Access access) {
        this.memories = memories;
        this.input = new MemoryInput(settings);
        this.settings = settings;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post(BASE + "/search", read(this::search))
                .get(BASE + "/export", read(this::export))
                .post(BASE + "/import", write(this::importAll))
                .post(BASE + "/admin/reindex", admin(this::reindex))
                .post(BASE + "/admin/purge", admin(this::purge))
                .get(BASE + "/admin/outbox", admin(this::outbox))
                .post(BASE, write(this::add))
                .get(BASE, read(this::list))
                .delete(BASE, write(this::deleteWhere))
                .get(BASE + "/{id}/history", read(this::history))
                .get(BASE + "/{id}", read(this::get))
                .patch(BASE + "/{id}", write(this::patch))
                .delete(BASE + "/{id}", write(this::delete));
    }

    private void add(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.tree(req);
        String owner = owner(req, body.path("user_id"));
        boolean dedupe = !body.has("dedupe") || bool(body.get("dedupe"), "dedupe");
        Memories.AddResult result = memories.add(actor(req), owner, input.drafts(body, memories.now()), dedupe);
        boolean added = result.outcomes().stream().anyMatch(o -> o.result().equals("added"));
        res.status(added ? Status.CREATED_201 : Status.OK_200);
        if (body.isObject() && body.has("memories")) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            ArrayNode list = out.putArray("memories");
            int[] counts = new int[3];
            for (Memories.Outcome o : result.outcomes()) {
                list.add(outcome(o));
                counts[switch (o.result()) {
                    case "added" -> 0;
                    case "updated" -> 1;
                    default -> 2;
                }]++;
            }
            out.put("added", counts[0]).put("updated", counts[1]).put("unchanged", counts[2]).put("dedupe", result.dedupe());
            res.send(out);
        } else {
            res.send(outcome(result.outcomes().get(0)).put("dedupe", result.dedupe()));
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        String owner = owner(req, null);
        MemoryFilter filter = FilterParser.fromQuery(name -> req.query().all(name, List::of));
        int limit = limit(req.query().first("limit").orElse(null), 20);
        String cursor = req.query().first("cursor").orElse(null);
        MemoryStore.Page page = memories.list(owner, filter, limit, cursor == null ? null : Cursor.decode(cursor));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode list = out.putArray("memories");
        page.memories().forEach(m -> list.add(m.toJson()));
        out.put("next_cursor", page.next() == null ? null : page.next().encode());
        res.send(out);
    }

    private void get(ServerRequest req, ServerResponse res) {
        boolean includeExpired = FilterParser.bool(req.query().first("include_expired").orElse(null), "include_expired");
        res.send(memories.get(owner(req, null), id(req), includeExpired).toJson());
    }

    private void patch(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.tree(req);
        String owner = owner(req, body.path("user_id"));
        if (body.isObject()) {
            ((ObjectNode) body).remove("user_id");
        }
        res.send(memories.patch(actor(req), owner, id(req), input.patch(body, memories.now())).toJson());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        memories.delete(actor(req), owner(req, null), id(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void deleteWhere(ServerRequest req, ServerResponse res) {
        String owner = owner(req, null);
        MemoryFilter filter;
        boolean dryRun;
        boolean all;
        if (req.content().hasEntity()) {
            JsonNode body = Json.tree(req);
            filter = FilterParser.fromJson(body.get("filters"), "filters");
            dryRun = body.has("dry_run") && bool(body.get("dry_run"), "dry_run");
            all = body.has("all") && bool(body.get("all"), "all");
        } else {
            filter = FilterParser.fromQuery(name -> req.query().all(name, List::of));
            dryRun = FilterParser.bool(req.query().first("dry_run").orElse(null), "dry_run");
            all = FilterParser.bool(req.query().first("all").orElse(null), "all");
        }
        if (!filter.restricts() && !all) {
            throw MemoryError.badRequest("filter_required", "filters", "deleting by filter needs at least one condition "
                    + "(scope, agent_id, run_id, a time range or metadata), or all=true to delete every memory");
        }
        long matched = memories.deleteWhere(actor(req), owner, filter, dryRun);
        res.send(Map.of("matched", matched, "deleted", dryRun ? 0 : matched, "dry_run", dryRun));
    }

    private void history(ServerRequest req, ServerResponse res) {
        String id = id(req);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("id", id);
        ArrayNode list = out.putArray("history");
        for (MemoryStore.Change c : memories.history(owner(req, null), id)) {
            ObjectNode entry = list.addObject();
            entry.put("event", c.event());
            entry.put("reason", c.reason());
            entry.put("actor", c.actor());
            entry.put("at", c.at().toString());
            entry.set("previous", c.previous());
            entry.set("current", c.current());
        }
        res.send(out);
    }

    private void search(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.tree(req);
        if (!body.isObject()) {
            throw MemoryError.badRequest("invalid_request", "", "the body must be a JSON object with \"query\"");
        }
        String owner = owner(req, body.path("user_id"));
        JsonNode q = body.get("query");
        if (q == null || q.isNull()) {
            throw MemoryError.badRequest("missing_field", "query", "query is required");
        }
        if (!q.isTextual() || q.asText().isBlank()) {
            throw MemoryError.badRequest(q.isTextual() ? "empty_query" : "invalid_type", "query",
                                         "query must be a non-empty string");
        }
        if (q.asText().length() > settings.maxTextChars()) {
            throw MemoryError.invalid("query_too_long", "query", "query has " + q.asText().length()
                    + " characters; the limit is " + settings.maxTextChars());
        }
        int limit = body.has("limit") ? limit(body.get("limit"), "limit") : 10;
        Double minScore = null;
        if (body.hasNonNull("min_score")) {
            if (!body.get("min_score").isNumber()) {
                throw MemoryError.badRequest("invalid_type", "min_score", "min_score must be a number");
            }
            minScore = body.get("min_score").asDouble();
        }
        Duration halfLife = settings.recencyHalfLife();
        if (body.hasNonNull("recency_half_life_hours")) {
            JsonNode h = body.get("recency_half_life_hours");
            if (!h.isNumber() || !(h.asDouble() > 0) || h.asDouble() > 24 * 36500) {
                throw MemoryError.invalid("out_of_range", "recency_half_life_hours",
                                          "recency_half_life_hours must be a number above 0 (at most 100 years)");
            }
            halfLife = Duration.ofSeconds((long) Math.max(1, h.asDouble() * 3600));
        }
        Memories.SearchRequest request = new Memories.SearchRequest(q.asText().strip(), limit,
                                                                    FilterParser.fromJson(body.get("filters"), "filters"),
                                                                    minScore, weights(body.get("weights")), halfLife);
        Memories.SearchResult result = memories.search(owner, request);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode list = out.putArray("results");
        for (HybridScore.Hit h : result.hits()) {
            ObjectNode hit = h.memory().toJson();
            hit.put("score", round(h.score()));
            ObjectNode scores = hit.putObject("scores");
            scores.put("semantic", round(h.semantic()));
            scores.put("keyword", round(h.keyword()));
            scores.put("recency", round(h.recency()));
            scores.put("importance", round(h.importance()));
            list.add(hit);
        }
        out.put("semantic", result.semantic());
        res.send(out);
    }

    private void export(ServerRequest req, ServerResponse res) {
        String owner = owner(req, null);
        MemoryFilter filter = FilterParser.fromQuery(name -> req.query().all(name, List::of));
        res.header(HeaderNames.CONTENT_TYPE, "application/x-ndjson");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"memories.ndjson\"");
        try (OutputStream stream = res.outputStream();
             BufferedWriter out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16)) {
            memories.export(owner, filter, m -> {
                try {
                    out.write(Json.MAPPER.writeValueAsString(m.toJson()));
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void importAll(ServerRequest req, ServerResponse res) {
        String owner = owner(req, null);
        String contentType = req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
        String body = req.content().hasEntity() ? req.content().as(String.class) : "";
        List<JsonNode> items = new ArrayList<>();
        if (contentType.equals("application/json")) {
            JsonNode doc = parse(body, "body");
            JsonNode list = doc.isArray() ? doc : doc.path("memories");
            if (!list.isArray()) {
                throw MemoryError.badRequest("invalid_request", "memories",
                                             "send NDJSON (application/x-ndjson) or {\"memories\": [...]}");
            }
            list.forEach(items::add);
        } else {
            String[] lines = body.split("\r?\n");
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    items.add(parse(lines[i], "line " + (i + 1)));
                }
                if (items.size() > settings.maxImport()) {
                    break;
                }
            }
        }
        if (items.isEmpty()) {
            throw MemoryError.badRequest("empty_import", "memories", "nothing to import");
        }
        if (items.size() > settings.maxImport()) {
            throw MemoryError.tooLarge("too_many_memories", "memories", "an import takes at most " + settings.maxImport()
                    + " memories");
        }
        List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            drafts.add(input.draft(items.get(i), "memories[" + i + "]", memories.now(), true));
        }
        List<Memories.Outcome> outcomes = memories.importAll(actor(req), owner, drafts);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("imported", outcomes.size());
        out.put("added", outcomes.stream().filter(o -> o.result().equals("added")).count());
        out.put("updated", outcomes.stream().filter(o -> o.result().equals("updated")).count());
        out.put("unchanged", outcomes.stream().filter(o -> o.result().equals("unchanged")).count());
        ArrayNode ids = out.putArray("ids");
        outcomes.forEach(o -> ids.add(o.memory().id()));
        res.status(Status.OK_200).send(out);
    }

    private void reindex(ServerRequest req, ServerResponse res) {
        boolean reembed = false;
        if (req.content().hasEntity()) {
            JsonNode body = Json.tree(req);
            reembed = body.has("reembed") && bool(body.get("reembed"), "reembed");
        }
        long queued;
        try {
            queued = memories.reindex(reembed);
        } catch (Upstream.UnavailableException e) {
            throw ProblemException.of(503, "vector_unavailable", "Service Unavailable",
                                      "svc-vector could not rebuild the collection: " + e.getMessage())
                    .withHeader("Retry-After", "5");
        }
        res.status(Status.ACCEPTED_202).send(Map.of("queued", queued, "collection", settings.collection(),
                                                    "reembed", reembed));
    }

    private void purge(ServerRequest req, ServerResponse res) {
        res.send(Map.of("purged", memories.purge()));
    }

    private void outbox(ServerRequest req, ServerResponse res) {
        IndexRelay.Status s = memories.outbox();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("pending", s.pending());
        out.put("failing", s.failing());
        out.put("oldest_pending_at", s.oldestPending() == null ? null : s.oldestPending().toString());
        out.put("last_error", s.lastError());
        res.send(out);
    }

    private Handler read(Handler h) {
        return access.scope("memories:read", mapped(h));
    }

    private Handler write(Handler h) {
        return access.scope("memories:write", mapped(h));
    }

    private Handler admin(Handler h) {
        return access.role("admin", mapped(h));
    }

    /**
     * Domain refusals → problem+json with the field named in {@code errors}.
     *
     * @param h handler
     * @return handler
     */
    private static Handler mapped(Handler h) {
        return (req, res) -> {
            try {
                h.handle(req, res);
            } catch (MemoryError e) {
                int status = switch (e.kind()) {
                    case BAD_REQUEST -> 400;
                    case INVALID -> 422;
                    case TOO_LARGE -> 413;
                    case NOT_FOUND -> 404;
                    case FORBIDDEN -> 403;
                };
                String title = switch (e.kind()) {
                    case BAD_REQUEST -> "Bad Request";
                    case INVALID -> "Unprocessable Content";
                    case TOO_LARGE -> "Content Too Large";
                    case NOT_FOUND -> "Not Found";
                    case FORBIDDEN -> "Forbidden";
                };
                Map<String, Object> extra = e.field() == null ? Map.of()
                        : Map.of("errors", List.of(Map.of("field", e.field(), "detail", e.getMessage())));
                throw new ProblemException(new Problem(status, e.code(), title, e.getMessage(), null, extra));
            }
        };
    }

    /**
     * Whose memories: the caller's, or the named user's when the caller is an admin or a service.
     */
    private String owner(ServerRequest req, JsonNode bodyUser) {
        Principal p = access.principal(req);
        String named = req.query().first("user_id").orElse(null);
        if (named == null && bodyUser != null && !bodyUser.isMissingNode() && !bodyUser.isNull()) {
            if (!bodyUser.isTextual() || bodyUser.asText().isBlank()) {
                throw MemoryError.badRequest("invalid_type", "user_id", "user_id must be a non-empty string");
            }
            named = bodyUser.asText();
        }
        if (named == null || named.equals(p.subject())) {
            return p.subject();
        }
        if (!p.hasRole("admin") && !p.hasRole("service")) {
            throw MemoryError.forbidden("only an admin or a service may act for another user (user_id)");
        }
        return named;
    }

    private String actor(ServerRequest req) {
        return access.principal(req).subject();
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private static ObjectNode outcome(Memories.Outcome o) {
        ObjectNode json = o.memory().toJson();
        json.put("result", o.result());
        if (o.similarity() != null) {
            json.put("similarity", round(o.similarity()));
        }
        return json;
    }

    private SearchWeights weights(JsonNode node) {
        SearchWeights defaults = settings.weights();
        if (node == null || node.isNull()) {
            return defaults;
        }
        if (!node.isObject()) {
            throw MemoryError.badRequest("invalid_type", "weights", "weights must be an object");
        }
        double[] w = new double[4];
        String[] names = {"semantic", "keyword", "recency", "importance"};
        node.fieldNames().forEachRemaining(n -> {
            if (!List.of(names).contains(n)) {
                throw MemoryError.badRequest("invalid_value", "weights." + n,
                                             "unknown weight '" + n + "' (semantic, keyword, recency, importance)");
            }
        });
        for (int i = 0; i < names.length; i++) {
            JsonNode v = node.get(names[i]);
            if (v == null || v.isNull()) {
                w[i] = new double[] {defaults.semantic(), defaults.keyword(), defaults.recency(), defaults.importance()}[i];
                continue;
            }
            if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > 10) {
                throw MemoryError.invalid("out_of_range", "weights." + names[i], "weights." + names[i]
                        + " must be a number from 0 to 10");
            }
            w[i] = v.asDouble();
        }
        return new SearchWeights(w[0], w[1], w[2], w[3]);
    }

    private static int limit(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw MemoryError.badRequest("invalid_value", "limit", "limit must be a whole number from 1 to " + MAX_LIMIT);
    }

    private static int limit(JsonNode node, String field) {
        if (!node.isIntegralNumber() || node.asInt() < 1 || node.asInt() > MAX_LIMIT) {
            throw MemoryError.badRequest("invalid_value", field, field + " must be a whole number from 1 to " + MAX_LIMIT);
        }
        return node.asInt();
    }

    private static boolean bool(JsonNode node, String field) {
        if (!node.isBoolean()) {
            throw MemoryError.badRequest("invalid_type", field, field + " must be true or false");
        }
        return node.asBoolean();
    }

    private static JsonNode parse(String text, String where) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw MemoryError.badRequest("malformed_json", where, where + " is not valid JSON");
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
