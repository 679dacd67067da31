package ai.universal.edge.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ai.universal.edge.config.PublicKeys;
import ai.universal.edge.testing.Backend;
import ai.universal.edge.testing.EdgeFiles;
import ai.universal.edge.testing.Http;
import ai.universal.edge.testing.Keys;

import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

class LocalEdgePluginsTest {
    private static final RSAKey RS = Keys.rsa("rs-1");
    private static final RSAKey OTHER_RS = Keys.rsa("rs-1");
    private static final KeyPair EC = Keys.ec();
    private static final KeyPair ED = Keys.ed25519();
    @TempDir
    static Path dir;
    private static Backend backend;
    private static LocalEdge edge;
    private static HttpServer collector;
    private static final List<String> spans = new CopyOnWriteArrayList<>();
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        backend = new Backend();
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", ex -> {
            spans.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        collector.start();
        String yaml = """
                _format_version: "3.0"
                services:
                  - name: backend
                    url: http://127.0.0.1:%d
                    routes:
                      - name: jwt
                        paths: [/jwt]
                        plugins:
                          - name: jwt
                            config: {key_claim_name: kid, claims_to_verify: [exp], maximum_expiration: 3600,
                                     run_on_preflight: false}
                      - name: jwt-anon
                        paths: [/jwt-anon]
                        plugins:
                          - name: jwt
                            config: {key_claim_name: kid, claims_to_verify: [exp], anonymous: anonymous}
                      - name: limited
                        paths: [/limited]
                        plugins:
                          - name: rate-limiting
                            config: {hour: 3, limit_by: ip, policy: local}
                      - name: limited-hidden
                        paths: [/limited-hidden]
                        plugins:
                          - name: rate-limiting
                            config: {hour: 1, limit_by: header, header_name: X-Client, policy: local,
                                     hide_client_headers: true}
                      - name: cors
                        paths: [/cors]
                        plugins:
                          - name: cors
                            config: {origins: ["http://app.test", "https://.*\\\\.example\\\\.com"], credentials: true,
                                     max_age: 600, exposed_headers: [X-Backend]}
                      - name: small
                        paths: [/small]
                        plugins:
                          - name: request-size-limiting
                            config: {allowed_payload_size: 1, size_unit: kilobytes}
                      - name: corr
                        paths: [/corr]
                        plugins:
                          - name: correlation-id
                            config: {header_name: Kong-Request-ID, generator: uuid, echo_downstream: true}
                      - name: denied
                        paths: [/denied]
                        plugins:
                          - name: ip-restriction
                            config: {deny: [127.0.0.0/8]}
                      - name: allowed
                        paths: [/allowed]
                        plugins:
                          - name: ip-restriction
                            config: {allow: [127.0.0.1, "::1"]}
                      - name: maintenance
                        paths: [/maintenance]
                        plugins:
                          - name: request-termination
                            config: {status_code: 503, message: down for maintenance}
                      - name: teapot
                        paths: [/teapot]
                        plugins:
                          - name: request-termination
                            config: {status_code: 418, body: '{"ok":false}', content_type: application/json}
                consumers:
                  - username: svc-auth
                    custom_id: svc-auth-issuer
                    jwt_secrets:
                      - key: rs-1
                        algorithm: RS256
                        rsa_public_key: |
                %s
                      - key: es-1
                        algorithm: ES256
                        rsa_public_key: |
                %s
                      - key: ed-1
                        algorithm: EdDSA
                        rsa_public_key: |
                %s
                  - username: anonymous
                plugins:
                  - name: prometheus
                    config: {status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true}
                  - name: opentelemetry
                    config: {traces_endpoint: "http://127.0.0.1:%d/v1/traces", sampling_rate: 1.0,
                             queue: {max_coalescing_delay: 0.05}}
                """.formatted(backend.port(), indent(PublicKeys.toPem(RS.toRSAPublicKey())),
                              indent(PublicKeys.toPem(EC.getPublic())), indent(PublicKeys.toPem(ED.getPublic())),
                              collector.getAddress().getPort());
        edge = EdgeFiles.start(dir, yaml);
        base = "http://127.0.0.1:" + edge.port();
    }

    private static String indent(String pem) {
        return pem.lines().map(l -> "              " + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    @AfterAll
    static void stop() {
        edge.close();
        backend.close();
        collector.stop(0);
    }

    private static HttpResponse<String> bearer(String path, String token) {
        return Http.get(base + path, Map.of("Authorization", "Bearer " + token));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> upstreamHeaders(HttpResponse<String> r) throws IOException {
        assertThat(r.body(), r.statusCode(), is(200));
        return (Map<String, String>) Backend.echo(r.body()).get("headers");
    }

    private static String message(HttpResponse<String> r) {
        String id = r.headers().firstValue("X-Kong-Request-Id").orElseThrow();
        return r.body().replace(",\"request_id\":\"" + id + "\"", "");
    }

    @Test
    void jwtRs256TokenPassesWithConsumerHeaders() throws Exception {
        Map<String, String> h = upstreamHeaders(bearer("/jwt", Keys.rs256(RS, Map.of("kid", "rs-1", "exp", Keys.in(600)))));
        assertThat(h.get("x-consumer-username"), is("svc-auth"));
        assertThat(h.get("x-consumer-custom-id"), is("svc-auth-issuer"));
        assertThat(h.get("x-credential-identifier"), is("rs-1"));
        assertThat(h.get("x-consumer-id"), is(edge.config().consumerByRef("svc-auth").orElseThrow().id()));
        assertThat(h.get("x-anonymous-consumer"), is((String) null));
    }

    @Test
    void jwtKeyClaimIsFoundInTheHeaderToo() throws Exception {
        String token = Keys.rs256(RS, Map.of("sub", "u1", "exp", Keys.in(600)));
        assertThat(upstreamHeaders(bearer("/jwt", token)).get("x-credential-identifier"), is("rs-1"));
    }

    @Test
    void jwtEs256AndEdDsaTokensPass() throws Exception {
        assertThat(upstreamHeaders(bearer("/jwt", Keys.es256(EC, "es-1", Map.of("exp", Keys.in(60)))))
                           .get("x-credential-identifier"), is("es-1"));
        assertThat(upstreamHeaders(bearer("/jwt", Keys.eddsa(ED, "ed-1", Map.of("exp", Keys.in(60)))))
                           .get("x-credential-identifier"), is("ed-1"));
    }

    @Test
    void jwtWithoutTokenIsUnauthorized() {
        HttpResponse<String> r = Http.get(base + "/jwt");
        assertThat(r.statusCode(), is(401));
        assertThat(message(r), is("{\"message\":\"Unauthorized\"}"));
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse(""), is("Bearer"));
    }

    @Test
    void jwtExpiredTokenAnswersKongsClaimError() {
        HttpResponse<String> r = bearer("/jwt", Keys.rs256(RS, Map.of("kid", "rs-1", "exp", Keys.in(-5))));
        assertThat(r.statusCode(), is(401));
        assertThat(r.body(), is("{\"exp\":\"token expired\"}"));
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse(""), is("Bearer error=\"invalid_token\""));
    }

    @Test
    void jwtFailuresUseKongsMessages() {
        assertThat(message(bearer("/jwt", Keys.rs256(OTHER_RS, Map.of("exp", Keys.in(60))))),
                   is("{\"message\":\"Invalid signature\"}"));
        assertThat(message(bearer("/jwt", Keys.rs256(RS, Map.of("kid", "es-1", "exp", Keys.in(60))))),
                   is("{\"message\":\"Invalid algorithm\"}"));
        assertThat(message(bearer("/jwt", Keys.rs256(RS, Map.of("kid", "nope", "exp", Keys.in(60))))),
                   is("{\"message\":\"No credentials found for given 'kid'\"}"));
        String none = Keys.b64("{\"alg\":\"none\",\"kid\":\"rs-1\"}".getBytes()) + "."
                + Keys.b64("{\"exp\":9999999999}".getBytes()) + ".";
        assertThat(message(bearer("/jwt", none)), is("{\"message\":\"Bad token; invalid alg\"}"));
        assertThat(message(bearer("/jwt", "uat_not_a_jwt")), is("{\"message\":\"Bad token; invalid JSON\"}"));
        assertThat(bearer("/jwt", Keys.rs256(RS, Map.of("kid", "rs-1"))).body(), is("{\"exp\":\"must be a number\"}"));
        assertThat(bearer("/jwt", Keys.rs256(RS, Map.of("kid", "rs-1", "exp", Keys.in(7200)))).body(),
                   is("{\"exp\":\"exceeds maximum allowed expiration\"}"));
    }

    @Test
    void jwtPreflightPassesWhenRunOnPreflightIsOff() throws Exception {
        HttpResponse<String> r = Http.send("OPTIONS", base + "/jwt", Map.of(), null);
        assertThat(Backend.echo(r.body()).get("method"), is("OPTIONS"));
    }

    @Test
    void jwtWithAnonymousLetsBadTokensThroughAsTheAnonymousConsumer() throws Exception {
        Map<String, String> h = upstreamHeaders(bearer("/jwt-anon", "uat_platform_api_key"));
        assertThat(h.get("x-anonymous-consumer"), is("true"));
        assertThat(h.get("x-consumer-username"), is("anonymous"));
        assertThat(h.get("authorization"), is("Bearer uat_platform_api_key"));
        assertThat(h.get("x-credential-identifier"), is((String) null));
        Map<String, String> good = upstreamHeaders(bearer("/jwt-anon", Keys.rs256(RS, Map.of("kid", "rs-1",
                                                                                              "exp", Keys.in(60)))));
        assertThat(good.get("x-consumer-username"), is("svc-auth"));
    }

    @Test
    void rateLimitingCountsDownThenRefusesWithKongsHeadersAndBody() {
        for (int expectedRemaining = 2; expectedRemaining >= 0; expectedRemaining--) {
            HttpResponse<String> r = Http.get(base + "/limited");
            assertThat(r.statusCode(), is(200));
            assertThat(r.headers().firstValue("X-RateLimit-Limit-Hour").orElse(""), is("3"));
            assertThat(r.headers().firstValue("X-RateLimit-Remaining-Hour").orElse(""), is(String.valueOf(expectedRemaining)));
            assertThat(r.headers().firstValue("RateLimit-Limit").orElse(""), is("3"));
            assertThat(r.headers().firstValue("RateLimit-Remaining").orElse(""), is(String.valueOf(expectedRemaining)));
        }
        HttpResponse<String> refused = Http.get(base + "/limited");
        assertThat(refused.statusCode(), is(429));
        assertThat(message(refused), is("{\"message\":\"API rate limit exceeded\"}"));
        assertThat(refused.headers().firstValue("X-RateLimit-Remaining-Hour").orElse(""), is("0"));
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter >= 1 && retryAfter <= 3600, is(true));
        assertThat(refused.headers().firstValue("RateLimit-Reset").orElseThrow(), is(String.valueOf(retryAfter)));
    }

    @Test
    void hiddenRateLimitHeadersAndHeaderIdentifier() {
        HttpResponse<String> first = Http.get(base + "/limited-hidden", Map.of("X-Client", "a"));
        assertThat(first.statusCode(), is(200));
        assertThat(first.headers().firstValue("X-RateLimit-Limit-Hour").isPresent(), is(false));
        assertThat(first.headers().firstValue("RateLimit-Remaining").isPresent(), is(false));
        HttpResponse<String> second = Http.get(base + "/limited-hidden", Map.of("X-Client", "a"));
        assertThat(second.statusCode(), is(429));
        assertThat(second.headers().firstValue("Retry-After").isPresent(), is(false));
        assertThat(Http.get(base + "/limited-hidden", Map.of("X-Client", "b")).statusCode(), is(200));
    }

    @Test
    void corsPreflightIsAnsweredByTheEdge() {
        int before = backend.requests();
        HttpResponse<String> r = Http.send("OPTIONS", base + "/cors", Map.of("Origin", "http://app.test",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "X-Custom"), null);
        assertThat(r.statusCode(), is(200));
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin").orElse(""), is("http://app.test"));
        assertThat(r.headers().firstValue("Access-Control-Allow-Credentials").orElse(""), is("true"));
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods").orElse(""),
                   is("GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"));
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers").orElse(""), is("X-Custom"));
        assertThat(r.headers().firstValue("Access-Control-Max-Age").orElse(""), is("600"));
        assertThat(r.headers().firstValue("Vary").orElse(""), is("Origin"));
        assertThat(backend.requests(), is(before));
    }

    @Test
    void corsHeadersOnResponsesFollowTheOriginList() {
        HttpResponse<String> allowed = Http.get(base + "/cors", Map.of("Origin", "https://ui.example.com"));
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(""), is("https://ui.example.com"));
        assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers").orElse(""), is("X-Backend"));
        HttpResponse<String> other = Http.get(base + "/cors", Map.of("Origin", "http://evil.test"));
        assertThat(other.statusCode(), is(200));
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin").isPresent(), is(false));
    }

    @Test
    void requestSizeLimitRefusesLargeBodiesWith413() throws Exception {
        HttpResponse<String> big = Http.send("POST", base + "/small", Map.of(), "x".repeat(2048));
        assertThat(big.statusCode(), is(413));
        assertThat(message(big), is("{\"message\":\"Request size limit exceeded\"}"));
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + "/small"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[4096])))
                .build();
        HttpResponse<String> r = Http.CLIENT.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode(), is(413));
        HttpResponse<String> ok = Http.send("POST", base + "/small", Map.of(), "x".repeat(512));
        assertThat(Backend.echo(ok.body()).get("bodyLength"), is(512));
        HttpRequest smallChunked = HttpRequest.newBuilder(URI.create(base + "/small"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[700])))
                .build();
        HttpResponse<String> okChunked = Http.CLIENT.send(smallChunked, HttpResponse.BodyHandlers.ofString());
        assertThat(Backend.echo(okChunked.body()).get("bodyLength"), is(700));
    }

    @Test
    void correlationIdIsMadeSentUpstreamAndEchoed() throws Exception {
        HttpResponse<String> r = Http.get(base + "/corr");
        String id = r.headers().firstValue("Kong-Request-ID").orElseThrow();
        assertThat(upstreamHeaders(r).get("kong-request-id"), is(id));
        assertThat(id.length(), is(36));
        HttpResponse<String> given = Http.get(base + "/corr", Map.of("Kong-Request-ID", "from-client"));
        assertThat(given.headers().firstValue("Kong-Request-ID").orElse(""), is("from-client"));
        assertThat(upstreamHeaders(given).get("kong-request-id"), is("from-client"));
    }

    @Test
    void ipRestrictionDeniesAndAllows() {
        HttpResponse<String> denied = Http.get(base + "/denied");
        assertThat(denied.statusCode(), is(403));
        assertThat(message(denied), is("{\"message\":\"IP address not allowed: 127.0.0.1\"}"));
        assertThat(Http.get(base + "/allowed").statusCode(), is(200));
    }

    @Test
    void requestTerminationAnswersWithMessageOrBody() {
        HttpResponse<String> down = Http.get(base + "/maintenance");
        assertThat(down.statusCode(), is(503));
        assertThat(message(down), is("{\"message\":\"down for maintenance\"}"));
        HttpResponse<String> teapot = Http.get(base + "/teapot");
        assertThat(teapot.statusCode(), is(418));
        assertThat(teapot.body(), is("{\"ok\":false}"));
        assertThat(teapot.headers().firstValue("Content-Type").orElse(""), is("application/json"));
    }

    @Test
    void prometheusMetricsAreOnTheAdminPortOnly() {
        Http.get(base + "/maintenance");
        HttpResponse<String> metrics = Http.get("http://127.0.0.1:" + edge.adminPort() + "/metrics");
        assertThat(metrics.statusCode(), is(200));
        assertThat(metrics.body(), containsString("kong_http_requests_total{service=\"backend\",route=\"maintenance\","
                + "code=\"503\",source=\"kong\",workspace=\"default\",consumer=\"\"}"));
        assertThat(metrics.body(), containsString("kong_request_latency_ms_bucket{service=\"backend\",route=\"maintenance\","));
        assertThat(metrics.body(), containsString("kong_bandwidth_bytes{service=\"backend\",route=\"maintenance\","
                + "direction=\"egress\""));
        assertThat(Http.get(base + "/metrics").statusCode(), is(404));
    }

    @Test
    void traceContextIsPropagatedAndTheSpanExported() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> r = Http.get(base + "/allowed", Map.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
        String upstream = upstreamHeaders(r).get("traceparent");
        assertThat(upstream, startsWith("00-" + traceId + "-"));
        assertThat(upstream, not(containsString("00f067aa0ba902b7")));
        String edgeSpanId = upstream.split("-")[2];
        Http.await("span exported to the OTLP endpoint", Duration.ofSeconds(10),
                   () -> spans.stream().anyMatch(s -> s.contains("\"traceId\":\"" + traceId + "\"")
                           && s.contains("\"spanId\":\"" + edgeSpanId + "\"")
                           && s.contains("\"parentSpanId\":\"00f067aa0ba902b7\"")));
    }
}
