package ai.universal.vector;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static ai.universal.vector.HttpHarness.json;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * The Qdrant-compatible API with the request bodies of Qdrant's quick start (collection test_collection, 4-d Dot,
 * six city points) and the response shapes its OpenAPI specifies; authenticated with the {@code api-key} header
 * as Qdrant clients send it.
 */
class QdrantApiTest {

    private static final String Q = "/v1/vectors/qdrant";

    @TempDir
    static Path data;

    private static HttpHarness h;
    private static String apiKey;

    @BeforeAll
    static void start() throws Exception {
        h = new HttpHarness(data);
        apiKey = h.auth.apiKey("qdrant-user", java.util.List.of("*"));
        HttpResponse<String> created = call("PUT", "/collections/test_collection",
                                            "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        assertThat(created.body(), created.statusCode(), is(200));
        JsonNode body = json(created);
        assertThat(body.get("result").asBoolean(), is(true));
        assertThat(body.get("status").asText(), is("ok"));
        assertThat(body.get("time").isNumber(), is(true));
        HttpResponse<String> upsert = call("PUT", "/collections/test_collection/points?wait=true", """
                {"points":[
                  {"id":1,"vector":[0.05,0.61,0.76,0.74],"payload":{"city":"Berlin"}},
                  {"id":2,"vector":[0.19,0.81,0.75,0.11],"payload":{"city":"London"}},
                  {"id":3,"vector":[0.36,0.55,0.47,0.94],"payload":{"city":"Moscow"}},
                  {"id":4,"vector":[0.18,0.01,0.85,0.80],"payload":{"city":"New York"}},
                  {"id":5,"vector":[0.24,0.18,0.22,0.44],"payload":{"city":"Beijing"}},
                  {"id":6,"vector":[0.35,0.08,0.11,0.44],"payload":{"city":"Mumbai"}}]}""");
        assertThat(upsert.body(), upsert.statusCode(), is(200));
        assertThat(json(upsert).get("result").get("status").asText(), is("completed"));
        assertThat(json(upsert).get("result").get("operation_id").isIntegralNumber(), is(true));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return h.call(method, Q + path, body, "api-key", apiKey);
    }

    @Test
    void searchReturnsQuickStartResultsInOrder() throws Exception {
        HttpResponse<String> r = call("POST", "/collections/test_collection/points/search",
                                      "{\"vector\":[0.2,0.1,0.9,0.7],\"limit\":3}");
        assertThat(r.body(), r.statusCode(), is(200));
        JsonNode result = json(r).get("result");
        assertThat(result.size(), is(3));
        assertThat(result.get(0).get("id").asInt(), is(4));
        assertThat(result.get(0).get("version").asInt(), is(0));
        assertThat(result.get(0).get("score").asDouble(), closeTo(1.362, 1e-3));
        assertThat(result.get(1).get("id").asInt(), is(1));
        assertThat(result.get(1).get("score").asDouble(), closeTo(1.273, 1e-3));
        assertThat(result.get(2).get("id").asInt(), is(3));
        assertThat(result.get(2).get("score").asDouble(), closeTo(1.208, 1e-3));
        assertThat("with_payload defaults to false", result.get(0).has("payload"), is(false));
    }

    @Test
    void filteredSearchWithPayloadMatchesTheQuickStart() throws Exception {
        HttpResponse<String> r = call("POST", "/collections/test_collection/points/search", """
                {"vector":[0.2,0.1,0.9,0.7],"filter":{"must":[{"key":"city","match":{"value":"London"}}]},
                 "with_payload":true,"limit":3}""");
        JsonNode result = json(r).get("result");
        assertThat(result.size(), is(1));
        assertThat(result.get(0).get("id").asInt(), is(2));
        assertThat(result.get(0).get("score").asDouble(), closeTo(0.871, 1e-3));
        assertThat(result.get(0).get("payload").get("city").asText(), is("London"));
    }

    @Test
    void queryApiReturnsPointsObject() throws Exception {
        HttpResponse<String> r = call("POST", "/collections/test_collection/points/query",
                                      "{\"query\":[0.2,0.1,0.9,0.7],\"limit\":3,\"with_payload\":[\"city\"]}");
        JsonNode points = json(r).get("result").get("points");
        assertThat(points.size(), is(3));
        assertThat(points.get(0).get("id").asInt(), is(4));
        assertThat(points.get(0).get("payload").get("city").asText(), is("New York"));
        HttpResponse<String> byId = call("POST", "/collections/test_collection/points/query", "{\"query\":4,\"limit\":1}");
        assertThat(json(byId).get("result").get("points").get(0).get("id").asInt(), is(4));
        HttpResponse<String> nearest = call("POST", "/collections/test_collection/points/query",
                                            "{\"query\":{\"nearest\":[0.2,0.1,0.9,0.7]},\"limit\":1,\"offset\":1}");
        assertThat(json(nearest).get("result").get("points").get(0).get("id").asInt(), is(1));
    }

    @Test
    void retrieveScrollCountAndCollectionInfo() throws Exception {
        JsonNode got = json(call("POST", "/collections/test_collection/points",
                                 "{\"ids\":[1,6],\"with_vector\":true}")).get("result");
        assertThat(got.size(), is(2));
        assertThat(got.get(0).get("payload").get("city").asText(), is("Berlin"));
        assertThat(got.get(1).get("vector").size(), is(4));
        JsonNode one = json(call("GET", "/collections/test_collection/points/5", null)).get("result");
        assertThat(one.get("payload").get("city").asText(), is("Beijing"));
        HttpResponse<String> none = call("GET", "/collections/test_collection/points/77", null);
        assertThat(none.statusCode(), is(404));
        assertThat(json(none).get("status").get("error").asText(), is("Not found: No point with id 77 found"));

        JsonNode page = json(call("POST", "/collections/test_collection/points/scroll",
                                  "{\"limit\":4,\"with_payload\":false}")).get("result");
        assertThat(page.get("points").size(), is(4));
        assertThat(page.get("points").get(0).has("payload"), is(false));
        assertThat(page.get("next_page_offset").asInt(), is(5));
        JsonNode count = json(call("POST", "/collections/test_collection/points/count", """
                {"filter":{"should":[{"key":"city","match":{"value":"Berlin"}},{"key":"city","match":{"value":"Mumbai"}}]},
                 "exact":true}""")).get("result");
        assertThat(count.get("count").asInt(), is(2));

        JsonNode info = json(call("GET", "/collections/test_collection", null)).get("result");
        assertThat(info.get("status").asText(), is("green"));
        assertThat(info.get("points_count").asInt(), is(6));
        assertThat(info.get("config").get("params").get("vectors").get("size").asInt(), is(4));
        assertThat(info.get("config").get("params").get("vectors").get("distance").asText(), is("Dot"));
        assertThat(info.get("config").get("hnsw_config").get("m").asInt(), is(16));
        assertThat(json(call("GET", "/collections", null)).get("result").get("collections").get(0).get("name").asText(),
                   is("test_collection"));
        assertThat(json(call("GET", "/collections/test_collection/exists", null)).get("result").get("exists").asBoolean(),
                   is(true));
    }

    @Test
    void errorsUseQdrantShapeAndStatus() throws Exception {
        HttpResponse<String> missing = call("POST", "/collections/nope/points/search", "{\"vector\":[1,2,3,4],\"limit\":1}");
        assertThat(missing.statusCode(), is(404));
        JsonNode body = json(missing);
        assertThat(body.get("status").get("error").asText(), is("Not found: Collection `nope` doesn't exist!"));
        assertThat(body.get("time").isNumber(), is(true));
        HttpResponse<String> exists = call("PUT", "/collections/test_collection",
                                           "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}");
        assertThat(exists.statusCode(), is(409));
        assertThat(json(exists).get("status").get("error").asText(),
                   is("Wrong input: Collection `test_collection` already exists!"));
        HttpResponse<String> dim = call("POST", "/collections/test_collection/points/search",
                                        "{\"vector\":[1,2],\"limit\":1}");
        assertThat(dim.statusCode(), is(400));
        assertThat(json(dim).get("status").get("error").asText(),
                   is("Wrong input: vector has dimension 2 but the collection has dimension 4"));
        HttpResponse<String> unauthenticated = h.call("GET", Q + "/collections", null);
        assertThat(unauthenticated.statusCode(), is(401));
        assertThat(json(unauthenticated).get("status").has("error"), is(true));
        HttpResponse<String> manhattan = call("PUT", "/collections/m", "{\"vectors\":{\"size\":4,\"distance\":\"Manhattan\"}}");
        assertThat(json(manhattan).get("status").get("error").asText(),
                   is("Wrong input: vectors.distance 'Manhattan' is not supported; use Cosine, Euclid or Dot"));
    }

    @Test
    void batchUpsertDeleteByFilterAndSnapshotRecover() throws Exception {
        call("PUT", "/collections/uuid_points", """
                {"vectors":{"size":2,"distance":"Euclid"},"quantization_config":{"scalar":{"type":"int8"}}}""");
        // wait=true: searched right after, so the points must be visible, not just durable
        HttpResponse<String> up = call("PUT", "/collections/uuid_points/points?wait=true", """
                {"batch":{"ids":["5C56C793-69F3-4FBF-87E6-C4BF54C28C26",7],"vectors":[[0,0],[3,4]],
                          "payloads":[{"k":"a"},{"k":"b"}]}}""");
        assertThat(json(up).get("result").get("status").asText(), is("completed"));
        JsonNode got = json(call("POST", "/collections/uuid_points/points",
                                 "{\"ids\":[\"5c56c793-69f3-4fbf-87e6-c4bf54c28c26\"]}")).get("result");
        assertThat(got.get(0).get("id").asText(), is("5c56c793-69f3-4fbf-87e6-c4bf54c28c26"));
        JsonNode dist = json(call("POST", "/collections/uuid_points/points/search", "{\"vector\":[0,0],\"limit\":2}"))
                .get("result");
        assertThat(dist.get(1).get("score").asDouble(), closeTo(5.0, 1e-5));
        JsonNode snap = json(call("POST", "/collections/uuid_points/snapshots", null)).get("result");
        assertThat(snap.get("name").asText(), startsWith("uuid_points-"));
        assertThat(snap.get("checksum").asText().length(), is(64));
        HttpResponse<String> del = call("POST", "/collections/uuid_points/points/delete?wait=true",
                                        "{\"filter\":{\"must\":[{\"key\":\"k\",\"match\":{\"value\":\"b\"}}]}}");
        assertThat(json(del).get("result").get("status").asText(), is("completed"));
        assertThat(json(call("POST", "/collections/uuid_points/points/count", "{}")).get("result").get("count").asInt(),
                   is(1));
        HttpResponse<String> recover = call("PUT", "/collections/uuid_points/snapshots/recover",
                                            "{\"location\":\"" + h.base + Q + "/collections/uuid_points/snapshots/"
                                                    + snap.get("name").asText() + "\"}");
        assertThat(recover.body(), json(recover).get("result").asBoolean(), is(true));
        assertThat(json(call("POST", "/collections/uuid_points/points/count", "{}")).get("result").get("count").asInt(),
                   is(2));
        JsonNode list = json(call("GET", "/collections/uuid_points/snapshots", null)).get("result");
        assertThat(list.get(0).get("name").asText(), is(snap.get("name").asText()));
        assertThat(json(call("DELETE", "/collections/uuid_points", null)).get("result").asBoolean(), is(true));
    }
}
