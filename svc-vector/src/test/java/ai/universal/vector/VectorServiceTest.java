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

/** The native API over HTTP, with real tokens verified against a JWKS. */
class VectorServiceTest {

    @TempDir
    static Path data;

    private static HttpHarness h;
    private static String admin;

    @BeforeAll
    static void start() {
        h = new HttpHarness(data);
        admin = h.bearer("admin-user", "*");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return h.call(method, path, body, "Authorization", admin);
    }

    @Test
    void collectionLifecycleUpsertSearchScrollCount() throws Exception {
        HttpResponse<String> created = call("PUT", "/v1/vectors/collections/docs",
                                            "{\"dimension\":3,\"distance\":\"cosine\",\"text_field\":\"body\"}");
        assertThat(created.body(), created.statusCode(), is(201));
        assertThat(json(created).get("name").asText(), is("docs"));
        assertThat(json(created).get("points").asLong(), is(0L));
        assertThat(call("PUT", "/v1/vectors/collections/docs", "{\"dimension\":3,\"distance\":\"cosine\"}").statusCode(),
                   is(409));

        HttpResponse<String> up = call("PUT", "/v1/vectors/collections/docs/points?wait=true", """
                {"points":[{"id":1,"vector":[1,0,0],"payload":{"body":"red apple","kind":"fruit"}},
                           {"id":"two","vector":[0,1,0],"payload":{"body":"green car","kind":"car"}},
                           {"id":3,"vector":[0.9,0.1,0],"payload":{"body":"red car","kind":"car"}}]}""");
        assertThat(up.body(), up.statusCode(), is(200));
        assertThat(json(up).get("status").asText(), is("completed"));

        HttpResponse<String> search = call("POST", "/v1/vectors/collections/docs/search", """
                {"vector":[1,0,0],"limit":2,"filter":{"must":[{"key":"kind","match":{"value":"car"}}]},"with_vector":true}""");
        assertThat(search.body(), search.statusCode(), is(200));
        JsonNode hits = json(search).get("hits");
        assertThat(hits.size(), is(2));
        assertThat(hits.get(0).get("id").asInt(), is(3));
        assertThat(hits.get(0).get("score").asDouble(), closeTo(0.9 / Math.sqrt(0.82), 1e-5));
        assertThat(hits.get(0).get("payload").get("body").asText(), is("red car"));
        assertThat(hits.get(0).get("vector").size(), is(3));
        assertThat(hits.get(1).get("id").asText(), is("two"));

        HttpResponse<String> batch = call("POST", "/v1/vectors/collections/docs/search/batch",
                                          "{\"searches\":[{\"vector\":[0,1,0],\"limit\":1},{\"vector\":[1,0,0],\"limit\":1}]}");
        assertThat(json(batch).get("results").get(0).get("hits").get(0).get("id").asText(), is("two"));
        assertThat(json(batch).get("results").get(1).get("hits").get(0).get("id").asInt(), is(1));

        HttpResponse<String> hybrid = call("POST", "/v1/vectors/collections/docs/search/hybrid",
                                           "{\"text\":\"car\",\"vector\":[0,1,0],\"limit\":1}");
        assertThat(hybrid.body(), json(hybrid).get("hits").get(0).get("id").asText(), is("two"));

        HttpResponse<String> scroll = call("POST", "/v1/vectors/collections/docs/points/scroll", "{\"limit\":2}");
        assertThat(json(scroll).get("points").get(0).get("id").asInt(), is(1));
        assertThat(json(scroll).get("next_offset").asText(), is("two"));
        HttpResponse<String> count = call("POST", "/v1/vectors/collections/docs/points/count",
                                          "{\"filter\":{\"must\":[{\"key\":\"kind\",\"match\":{\"value\":\"car\"}}]}}");
        assertThat(json(count).get("count").asLong(), is(2L));

        HttpResponse<String> get = call("POST", "/v1/vectors/collections/docs/points/get", "{\"ids\":[3,\"nope\"]}");
        assertThat(json(get).get("points").size(), is(1));
        HttpResponse<String> del = call("POST", "/v1/vectors/collections/docs/points/delete", "{\"ids\":[3]}");
        assertThat(del.statusCode(), is(200));
        HttpResponse<String> optimized = call("POST", "/v1/vectors/collections/docs/optimize", "{\"max_segments\":1}");
        assertThat(optimized.body(), json(optimized).get("segments").asInt(), is(1));
        HttpResponse<String> info = call("GET", "/v1/vectors/collections/docs", null);
        assertThat(json(info).get("points").asLong(), is(2L));
        assertThat(json(info).get("dimension").asInt(), is(3));
        assertThat(call("GET", "/v1/vectors/collections", null).body(), startsWith("{\"collections\":[{\"name\":\"docs\""));
        assertThat(call("DELETE", "/v1/vectors/collections/docs", null).statusCode(), is(204));
        assertThat(call("DELETE", "/v1/vectors/collections/docs", null).statusCode(), is(404));
    }

    @Test
    void badInputAnswersProblemJson4xx() throws Exception {
        call("PUT", "/v1/vectors/collections/strict", "{\"dimension\":2,\"distance\":\"euclidean\"}");
        HttpResponse<String> dim = call("PUT", "/v1/vectors/collections/strict/points",
                                        "{\"points\":[{\"id\":1,\"vector\":[1,2,3]}]}");
        assertThat(dim.statusCode(), is(400));
        assertThat(dim.headers().firstValue("Content-Type").orElse(""), is("application/problem+json"));
        assertThat(json(dim).get("detail").asText(),
                   is("points[0].vector has dimension 3 but the collection has dimension 2"));
        HttpResponse<String> badId = call("PUT", "/v1/vectors/collections/strict/points",
                                          "{\"points\":[{\"id\":-1,\"vector\":[1,2]}]}");
        assertThat(json(badId).get("detail").asText(),
                   is("points[0].id: point id must be an unsigned 64-bit integer or a string, got -1"));
        HttpResponse<String> k0 = call("POST", "/v1/vectors/collections/strict/search", "{\"vector\":[1,2],\"limit\":0}");
        assertThat(k0.statusCode(), is(400));
        assertThat(json(k0).get("detail").asText(), is("limit must be at least 1, got 0"));
        HttpResponse<String> filter = call("POST", "/v1/vectors/collections/strict/search",
                                           "{\"vector\":[1,2],\"filter\":{\"must\":[{\"key\":\"a\",\"range\":{}}]}}");
        assertThat(json(filter).get("detail").asText(), is("filter.must[0].range needs at least one of gt, gte, lt, lte"));
        HttpResponse<String> missing = call("POST", "/v1/vectors/collections/nope/search", "{\"vector\":[1,2]}");
        assertThat(missing.statusCode(), is(404));
        assertThat(json(missing).get("detail").asText(), is("collection 'nope' does not exist"));
        StringBuilder big = new StringBuilder("{\"points\":[");
        for (int i = 0; i < 1001; i++) {
            big.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[1,2]}");
        }
        HttpResponse<String> tooMany = call("PUT", "/v1/vectors/collections/strict/points", big.append("]}").toString());
        assertThat(tooMany.statusCode(), is(413));
        assertThat(json(tooMany).get("detail").asText(), is("batch has 1001 points; the limit is 1000"));
        HttpResponse<String> malformed = call("PUT", "/v1/vectors/collections/strict/points", "{\"points\":[");
        assertThat(malformed.statusCode(), is(400));
        assertThat(json(call("POST", "/v1/vectors/collections/strict/points/count", "{}")).get("count").asLong(), is(0L));
    }

    @Test
    void tenancyComesFromTheTokenNeverFromTheBody() throws Exception {
        call("PUT", "/v1/vectors/collections/shared", "{\"dimension\":2,\"distance\":\"euclidean\",\"multi_tenant\":true}");
        String alice = h.bearer("alice", "vectors:read vectors:write");
        String bob = h.bearer("bob", "vectors:read vectors:write");
        h.call("PUT", "/v1/vectors/collections/shared/points", "{\"tenant\":\"bob\",\"points\":[{\"id\":1,\"vector\":[0,0]}]}",
               "Authorization", alice);
        h.call("PUT", "/v1/vectors/collections/shared/points", "{\"points\":[{\"id\":2,\"vector\":[0,1]}]}",
               "Authorization", bob);
        JsonNode aliceHits = json(h.call("POST", "/v1/vectors/collections/shared/search", "{\"vector\":[0,0]}",
                                         "Authorization", alice)).get("hits");
        assertThat(aliceHits.size(), is(1));
        assertThat(aliceHits.get(0).get("id").asInt(), is(1));
        JsonNode bobHits = json(h.call("POST", "/v1/vectors/collections/shared/search", "{\"vector\":[0,0]}",
                                       "Authorization", bob)).get("hits");
        assertThat(bobHits.size(), is(1));
        assertThat(bobHits.get(0).get("id").asInt(), is(2));
    }

    @Test
    void scopesGuardTheRoutes() throws Exception {
        assertThat(h.call("GET", "/v1/vectors/collections", null).statusCode(), is(401));
        String reader = h.bearer("reader", "vectors:read");
        assertThat(h.call("GET", "/v1/vectors/collections", null, "Authorization", reader).statusCode(), is(200));
        assertThat(h.call("PUT", "/v1/vectors/collections/x", "{\"dimension\":2,\"distance\":\"dot\"}",
                          "Authorization", reader).statusCode(), is(403));
        assertThat(h.call("POST", "/v1/vectors/collections/x/snapshots", null, "Authorization",
                          h.bearer("writer", "vectors:write")).statusCode(), is(403));
    }

    @Test
    void snapshotCreateDownloadUploadRestore() throws Exception {
        call("PUT", "/v1/vectors/collections/snap", "{\"dimension\":2,\"distance\":\"euclidean\"}");
        call("PUT", "/v1/vectors/collections/snap/points", "{\"points\":[{\"id\":1,\"vector\":[1,1]}]}");
        HttpResponse<String> created = call("POST", "/v1/vectors/collections/snap/snapshots", null);
        assertThat(created.statusCode(), is(201));
        String name = json(created).get("name").asText();
        String checksum = json(created).get("checksum").asText();
        HttpResponse<byte[]> file = h.download("/v1/vectors/collections/snap/snapshots/" + name, "Authorization", admin);
        assertThat(file.statusCode(), is(200));
        assertThat(file.headers().firstValue("X-Checksum-Sha256").orElse(""), is(checksum));
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        assertThat(java.util.HexFormat.of().formatHex(sha.digest(file.body())), is(checksum));

        HttpResponse<String> uploaded = h.upload("/v1/vectors/collections/fromupload/snapshots/upload?checksum=" + checksum,
                                                 file.body(), "Authorization", admin);
        assertThat(uploaded.body(), uploaded.statusCode(), is(200));
        assertThat(json(uploaded).get("points").asLong(), is(1L));
        HttpResponse<String> badSum = h.upload("/v1/vectors/collections/other/snapshots/upload?checksum=abc",
                                               file.body(), "Authorization", admin);
        assertThat(badSum.statusCode(), is(400));

        call("PUT", "/v1/vectors/collections/snap/points", "{\"points\":[{\"id\":2,\"vector\":[2,2]}]}");
        HttpResponse<String> restored = call("POST", "/v1/vectors/collections/snap/snapshots/" + name + "/restore",
                                             "{\"target\":\"snap\"}");
        assertThat(restored.body(), json(restored).get("points").asLong(), is(1L));
        JsonNode list = json(call("GET", "/v1/vectors/collections/snap/snapshots", null)).get("snapshots");
        assertThat(list.get(0).get("name").asText(), is(name));
        assertThat(call("DELETE", "/v1/vectors/collections/snap/snapshots/" + name, null).statusCode(), is(204));
        assertThat(call("GET", "/v1/vectors/collections/snap/snapshots/" + name, null).statusCode(), is(404));
    }
}
