package ai.universal.chat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static ai.universal.chat.ChatHarness.json;
import static ai.universal.chat.ChatHarness.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per-user requests-per-minute and tokens-per-day limits in Redis, on a clock the test moves. */
@ExtendWith(RealInfra.class)
class UserLimitsTest {

    @TempDir
    static Path dir;

    private static final MovableClock CLOCK = new MovableClock(Instant.parse("2030-01-15T12:00:05Z"));
    private static FakeUpstream upstream;
    private static TestAuthServer auth;
    private static RunningService service;
    private static String base;

    @BeforeAll
    static void start(TestInfra.Infra infra) throws Exception {
        upstream = new FakeUpstream();
        auth = TestAuthServer.start();
        java.nio.file.Files.writeString(dir.resolve("models.yaml"), ChatHarness.modelsFile(upstream));
        Map<String, String> env = new HashMap<>(infra.environment());
        env.putAll(auth.environment());
        env.putAll(Map.of("CHAT_PORT", "0", "CHAT_CONFIG", dir.resolve("models.yaml").toString(),
                          "TEST_OPENAI_KEY", ChatHarness.OPENAI_KEY, "TEST_ANTHROPIC_KEY", ChatHarness.ANTHROPIC_KEY,
                          "LOCAL_LLM_ENDPOINT", "", "CHAT_USER_RPM", "2", "CHAT_USER_TOKENS_PER_DAY", "40",
                          "API_KEY_CACHE_TTL", "0s"));
        service = ServiceRunner.start(new ChatApp(), ServiceRunner.environment(env, System::getenv), CLOCK);
        base = service.baseUrl();
    }

    @AfterAll
    static void stop() {
        service.stop();
        auth.close();
        upstream.close();
    }

    private static HttpResponse<String> chat(String key, boolean stream) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(request("gpt-test", stream, null))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsPerMinuteThenTokensPerDayAnswer429WithOpenAiHeaders() throws Exception {
        String key = auth.apiKey("limited-user", List.of("chat"));
        HttpResponse<String> first = chat(key, true);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("2", first.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
        assertEquals("1", first.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("55s", first.headers().firstValue("x-ratelimit-reset-requests").orElseThrow());
        assertEquals("40", first.headers().firstValue("x-ratelimit-limit-tokens").orElseThrow());
        assertEquals("40", first.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
        assertEquals("11h59m55s", first.headers().firstValue("x-ratelimit-reset-tokens").orElseThrow());

        HttpResponse<String> second = chat(key, false);
        assertEquals(200, second.statusCode());
        assertEquals("0", second.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("23", second.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());

        HttpResponse<String> third = chat(key, false);
        assertEquals(429, third.statusCode(), third.body());
        assertEquals("rate_limit_error", json(third).path("error").path("type").asText());
        assertEquals("rate_limit_exceeded", json(third).path("error").path("code").asText());
        assertEquals("55", third.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("0", third.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals(200, chat(auth.apiKey("someone-else", List.of("chat")), false).statusCode(), "limits are per user");

        CLOCK.advance(Duration.ofSeconds(60));
        HttpResponse<String> nextMinute = chat(key, false);
        assertEquals(200, nextMinute.statusCode(), nextMinute.body());
        assertEquals("6", nextMinute.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());

        HttpResponse<String> spent = chat(key, false);
        assertEquals(429, spent.statusCode());
        assertEquals("0", spent.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
        assertEquals(Long.toString(Duration.ofHours(11).plusMinutes(58).plusSeconds(55).toSeconds()),
                     spent.headers().firstValue("Retry-After").orElseThrow());
    }
}
