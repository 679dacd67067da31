package ai.universal.edge.local;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import ai.universal.edge.config.DeclarativeValidator;
import ai.universal.edge.testing.Backend;
import ai.universal.edge.testing.EdgeFiles;
import ai.universal.edge.testing.Http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

class RedisRateLimitTest {
    @TempDir
    static Path dir;
    private static Backend backend;

    @BeforeAll
    static void start() {
        backend = new Backend();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @Test
    void twoEdgesSharingOneRedisEnforceOneLimit() throws Exception {
        String route = "shared-" + UUID.randomUUID();
        String yaml = """
                _format_version: "3.0"
                services:
                  - name: backend
                    url: http://127.0.0.1:%d
                    routes:
                      - name: %s
                        paths: [/shared]
                        plugins:
                          - name: rate-limiting
                            config: {hour: 5, limit_by: ip, policy: redis, redis: {host: 127.0.0.1, port: 6379}}
                """.formatted(backend.port(), route);
        try (LocalEdge a = EdgeFiles.start(dir, yaml); LocalEdge b = EdgeFiles.start(dir, yaml)) {
            int passed = 0;
            int refused = 0;
            for (int i = 0; i < 10; i++) {
                LocalEdge edge = i % 2 == 0 ? a : b;
                int status = Http.get("http://127.0.0.1:" + edge.port() + "/shared").statusCode();
                if (status == 200) {
                    passed++;
                } else if (status == 429) {
                    refused++;
                }
            }
            assertThat(passed, is(5));
            assertThat(refused, is(5));
            try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                String key = hourKey(jedis, route);
                assertThat(jedis.get(key), is("5"));
                assertThat(jedis.ttl(key) > 0 && jedis.ttl(key) <= 3600, is(true));
                jedis.del(key);
            }
        }
    }

    @Test
    void redisStoppingMidRunIsToleratedOrFailsAsConfigured() throws Exception {
        int port = EdgeFiles.closedPort();
        Process redis = startRedis(port);
        String yaml = """
                _format_version: "3.0"
                services:
                  - name: backend
                    url: http://127.0.0.1:%d
                    routes:
                      - name: tolerant
                        paths: [/tolerant]
                        plugins:
                          - name: rate-limiting
                            config: {hour: 1000, limit_by: ip, policy: redis, fault_tolerant: true,
                                     redis: {host: 127.0.0.1, port: %d, timeout: 500}}
                      - name: strict
                        paths: [/strict]
                        plugins:
                          - name: rate-limiting
                            config: {hour: 1000, limit_by: ip, policy: redis, fault_tolerant: false,
                                     redis: {host: 127.0.0.1, port: %d, timeout: 500}}
                """.formatted(backend.port(), port, port);
        try (LocalEdge edge = EdgeFiles.start(dir, yaml)) {
            String base = "http://127.0.0.1:" + edge.port();
            assertThat(Http.get(base + "/tolerant").headers().firstValue("X-RateLimit-Remaining-Hour").orElse(""), is("999"));
            assertThat(Http.get(base + "/strict").statusCode(), is(200));

            redis.destroy();
            redis.waitFor();

            HttpResponse<String> tolerant = Http.get(base + "/tolerant");
            assertThat(tolerant.statusCode(), is(200));
            assertThat(tolerant.headers().firstValue("X-RateLimit-Remaining-Hour").isPresent(), is(false));
            assertThat(edge.metrics().counterValue("local_edge_rate_limiting_store_errors_total",
                                                   List.of("plugin", "services[0].routes[0].plugins[0]", "policy", "redis",
                                                           "fault_tolerant", "true")), greaterThanOrEqualTo(1L));
            HttpResponse<String> strict = Http.get(base + "/strict");
            assertThat(strict.statusCode(), is(500));
            assertThat(strict.body(), containsString("{\"message\":\"An unexpected error occurred\""));

            redis = startRedis(port);
            Http.await("rate limit headers back once Redis is back", Duration.ofSeconds(15),
                       () -> Http.get(base + "/tolerant").headers().firstValue("X-RateLimit-Remaining-Hour").isPresent());
            assertThat(Http.get(base + "/strict").statusCode(), is(200));
        } finally {
            redis.destroy();
            redis.waitFor();
        }
    }

    @Test
    void withSyncRateCountsReachRedisOffTheRequestPathAndARedisOutageIsHandledAsConfigured() throws Exception {
        int port = EdgeFiles.closedPort();
        Process redis = startRedis(port);
        String route = "synced-" + UUID.randomUUID();
        String yaml = """
                _format_version: "3.0"
                services:
                  - name: backend
                    url: http://127.0.0.1:%d
                    routes:
                      - name: %s
                        paths: [/synced]
                        plugins:
                          - name: rate-limiting
                            config: {hour: 1000, limit_by: ip, policy: redis, fault_tolerant: false, sync_rate: 0.05,
                                     redis: {host: 127.0.0.1, port: %d, timeout: 500}}
                      - name: tolerant
                        paths: [/tolerant]
                        plugins:
                          - name: rate-limiting
                            config: {hour: 1000, limit_by: ip, policy: redis, fault_tolerant: true, sync_rate: 0.05,
                                     redis: {host: 127.0.0.1, port: %d, timeout: 500}}
                      - name: %s
                        paths: [/held]
                        plugins:
                          - name: rate-limiting
                            config: {hour: 1000, limit_by: ip, policy: redis, sync_rate: 3600,
                                     redis: {host: 127.0.0.1, port: %d, timeout: 500}}
                """.formatted(backend.port(), route, port, port, route + "-held", port);
        try (LocalEdge edge = EdgeFiles.start(dir, yaml)) {
            String base = "http://127.0.0.1:" + edge.port();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = Http.get(base + "/synced");
                assertThat(r.statusCode(), is(200));
                assertThat(r.headers().firstValue("X-RateLimit-Remaining-Hour").orElse(""), is(String.valueOf(999 - i)));
            }
            Http.await("the three requests synced to Redis", Duration.ofSeconds(15), () -> {
                try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                    return "3".equals(jedis.get(hourKey(jedis, route)));
                }
            });
            // with an hour between syncs, only a window's first request reaches Redis before the edge stops
            for (int i = 0; i < 3; i++) {
                assertThat(Http.get(base + "/held").headers().firstValue("X-RateLimit-Remaining-Hour").orElse(""),
                           is(String.valueOf(999 - i)));
            }
            try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                assertThat(jedis.get(hourKey(jedis, route + "-held")), is("1"));
            }
            assertThat(Http.get(base + "/tolerant").statusCode(), is(200));

            redis.destroy();
            redis.waitFor();

            // the first sync after Redis went away fails and drops the counts; then requests read Redis directly:
            // refused without fault_tolerant, let through with it
            Http.await("500 once a sync has failed", Duration.ofSeconds(15),
                       () -> Http.get(base + "/synced").statusCode() == 500);
            Http.await("tolerant passes without headers", Duration.ofSeconds(15), () -> {
                HttpResponse<String> r = Http.get(base + "/tolerant");
                return r.statusCode() == 200 && r.headers().firstValue("X-RateLimit-Remaining-Hour").isEmpty();
            });

            redis = startRedis(port);
            Http.await("200 once Redis is back", Duration.ofSeconds(15),
                       () -> Http.get(base + "/synced").statusCode() == 200);
        } finally {
            redis.destroy();
            redis.waitFor();
        }
    }

    /**
     * The route's hour counter in Redis (Kong's key, {@code ratelimit:<route>:<service>:<id>:<window start>:hour}),
     * found by its route rather than by the clock, so a test that runs across the turn of an hour finds it too.
     */
    private static String hourKey(Jedis jedis, String route) {
        Set<String> keys = jedis.keys("ratelimit:" + DeclarativeValidator.derived("route", route) + ":*:hour");
        return keys.isEmpty() ? "no hour counter of route " + route : keys.iterator().next();
    }

    private static Process startRedis(int port) throws IOException {
        Path data = Files.createTempDirectory(dir, "redis");
        Process p = new ProcessBuilder("/usr/bin/redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no", "--dir", data.toString())
                .redirectErrorStream(true).redirectOutput(data.resolve("redis.log").toFile()).start();
        Http.await("redis-server on " + port + " answers PING", Duration.ofSeconds(15), () -> {
            try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                return "PONG".equals(jedis.ping());
            } catch (RuntimeException e) {
                return false;
            }
        });
        return p;
    }
}
