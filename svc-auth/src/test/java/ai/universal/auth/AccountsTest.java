package ai.universal.auth;

import java.util.Map;

import ai.universal.auth.AuthClient.Answer;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static ai.universal.auth.AuthClient.STRONG_PASSWORD;
import static ai.universal.auth.AuthClient.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registration, login, throttling, roles and disabling, against real PostgreSQL and Redis.
 */
@ExtendWith(RealInfra.class)
class AccountsTest {
    private static final String ADMIN = "admin@example.org";
    private static final String ALICE = "alice@example.org";
    private static AuthClient auth;
    private static String aliceId;

    @BeforeAll
    static void start(TestInfra.Infra infra) {
        auth = AuthClient.start(infra, Map.of("LOGIN_ACCOUNT_FREE_FAILURES", "3", "LOGIN_IP_FREE_FAILURES", "6",
                                                "LOGIN_BASE_DELAY", "30s"));
        auth.register(ADMIN, "10.0.0.1");
        aliceId = auth.register(ALICE, "10.0.0.1");
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    private static String admin() {
        return "Bearer " + auth.accessToken(ADMIN, "10.0.0.1");
    }

    @Test
    void registerAnswersTheAccountAndTheFirstOneIsAdmin() {
        Answer a = auth.post("/v1/auth/register", credentials("  Bob@Example.ORG ", STRONG_PASSWORD),
                             "X-Forwarded-For", "10.0.1.1");
        assertEquals(201, a.status(), a.body());
        JsonNode body = a.json();
        assertEquals("bob@example.org", body.get("email").asText());
        assertEquals("[\"user\"]", body.get("roles").toString());
        assertFalse(body.get("disabled").asBoolean());
        assertNotNull(body.get("created_at").asText());
        assertFalse(body.has("password_hash"));

        JsonNode me = auth.get("/v1/auth/me", "Authorization", admin()).json();
        assertEquals("[\"user\",\"admin\"]", me.get("roles").toString());
    }

    @Test
    void duplicateRegistrationIsConflictWhateverTheCase() {
        Answer a = auth.post("/v1/auth/register", credentials("ALICE@example.org", "another-Strong-pass-9"));
        assertEquals(409, a.status());
        assertEquals("application/problem+json", a.header("Content-Type"));
        assertEquals("email_taken", a.json().get("code").asText());
        assertEquals("An account with this email already exists", a.json().get("detail").asText());
    }

    @Test
    void weakPasswordsAreRefusedNamingEachRule() {
        Map<String, String> cases = Map.of(
                "short-Pw-1", "too_short",
                "carol-is-the-best-99", "contains_email",
                "Password123456", "common",
                "abcabcabcabcabc", "repetitive");
        cases.forEach((password, rule) -> {
            Answer a = auth.post("/v1/auth/register", credentials("carol@example.org", password));
            assertEquals(422, a.status(), password);
            assertEquals("weak_password", a.json().get("code").asText());
            assertEquals(rule, a.json().get("rule").asText(), password);
            assertEquals("password", a.json().get("errors").get(0).get("field").asText());
        });
        assertEquals(201, auth.post("/v1/auth/register", credentials("carol@example.org", "orbit lantern velvet quarry"))
                .status());
    }

    @Test
    void malformedEmailIs422OnTheEmailField() {
        Answer a = auth.post("/v1/auth/register", credentials("not-an-email", STRONG_PASSWORD));
        assertEquals(422, a.status());
        assertEquals("validation_failed", a.json().get("code").asText());
        assertEquals("email", a.json().get("errors").get(0).get("field").asText());
        assertEquals("email must look like name@example.org", a.json().get("detail").asText());
    }

    @Test
    void malformedJsonIs400ProblemAndOtherMediaIs415() {
        Answer bad = auth.post("/v1/auth/login", "{\"email\": \"alice@example.org\", ");
        assertEquals(400, bad.status());
        assertEquals("application/problem+json", bad.header("Content-Type"));
        assertEquals("bad_request", bad.json().get("code").asText());
        Answer wrongType = auth.post("/v1/auth/register", "{\"email\": 42, \"password\": []}");
        assertEquals(400, wrongType.status());
        assertEquals("wrong_type", wrongType.json().get("code").asText());
        Answer form = auth.postRaw("/v1/auth/login", "application/x-www-form-urlencoded", "email=a&password=b");
        assertEquals(415, form.status());
        Answer missing = auth.post("/v1/auth/login", "{}");
        assertEquals(422, missing.status());
        assertEquals("email", missing.json().get("errors").get(0).get("field").asText());
    }

    @Test
    void loginAnswersATokenPairThatWorksOnMe() {
        JsonNode pair = auth.login(ALICE, "10.0.2.1");
        assertEquals("Bearer", pair.get("token_type").asText());
        assertEquals(900, pair.get("expires_in").asLong());
        assertTrue(pair.get("refresh_token").asText().matches("urt_[A-Za-z0-9_-]{43}"));
        assertEquals(30L * 24 * 3600, pair.get("refresh_expires_in").asLong());
        JsonNode me = auth.get("/v1/auth/me", "Authorization", "Bearer " + pair.get("access_token").asText()).json();
        assertEquals(aliceId, me.get("id").asText());
        assertEquals(ALICE, me.get("email").asText());
        assertEquals("access_token", me.get("credential").get("kind").asText());
        assertEquals("[\"*\"]", me.get("credential").get("scopes").toString());
    }

    @Test
    void meWithoutCredentialsIs401WithChallenge() {
        Answer a = auth.get("/v1/auth/me");
        assertEquals(401, a.status());
        assertEquals("Bearer realm=\"universal-ai-tools\"", a.header("WWW-Authenticate"));
    }

    @Test
    void wrongPasswordAndUnknownUserAreIndistinguishable() {
        Answer wrong = auth.post("/v1/auth/login", credentials(ALICE, "not-her-password-1"), "X-Forwarded-For", "10.0.3.1");
        Answer unknown = auth.post("/v1/auth/login", credentials("nobody@example.org", "not-her-password-1"),
                                   "X-Forwarded-For", "10.0.3.2");
        assertEquals(401, wrong.status());
        assertEquals(401, unknown.status());
        assertEquals(wrong.jsonWithoutRequestId(), unknown.jsonWithoutRequestId());
        assertEquals("invalid_credentials", wrong.json().get("code").asText());
        assertEquals("Email or password is incorrect", wrong.json().get("detail").asText());
        assertEquals(wrong.header("WWW-Authenticate"), unknown.header("WWW-Authenticate"));
    }

    @Test
    void repeatedFailuresForAnAccountAre429WithRetryAfter() {
        auth.register("dave@example.org", "10.0.4.1");
        for (int i = 0; i < 3; i++) {
            assertEquals(401, auth.post("/v1/auth/login", credentials("dave@example.org", "wrong-password-" + i),
                                        "X-Forwarded-For", "10.0.4." + (10 + i)).status());
        }
        assertEquals(401, auth.post("/v1/auth/login", credentials("dave@example.org", "wrong-password-x"),
                                    "X-Forwarded-For", "10.0.4.20").status());
        Answer throttled = auth.post("/v1/auth/login", credentials("dave@example.org", STRONG_PASSWORD),
                                     "X-Forwarded-For", "10.0.4.21");
        assertEquals(429, throttled.status(), throttled.body());
        assertEquals("too_many_attempts", throttled.json().get("code").asText());
        assertEquals("30", throttled.header("Retry-After"));
    }

    @Test
    void throttlingCountsUnknownAccountsToo() {
        for (int i = 0; i < 4; i++) {
            auth.post("/v1/auth/login", credentials("ghost@example.org", "whatever-password"), "X-Forwarded-For", "10.0.5." + i);
        }
        Answer a = auth.post("/v1/auth/login", credentials("ghost@example.org", "whatever-password"), "X-Forwarded-For",
                             "10.0.5.9");
        assertEquals(429, a.status());
        assertNotNull(a.header("Retry-After"));
    }

    @Test
    void repeatedFailuresFromOneAddressAre429ForEveryAccount() {
        for (int i = 0; i < 7; i++) {
            auth.post("/v1/auth/login", credentials("stuffed" + i + "@example.org", "whatever-password"),
                      "X-Forwarded-For", "10.0.6.1");
        }
        Answer a = auth.post("/v1/auth/login", credentials(ALICE, STRONG_PASSWORD), "X-Forwarded-For", "10.0.6.1");
        assertEquals(429, a.status());
        assertEquals(200, auth.post("/v1/auth/login", credentials(ALICE, STRONG_PASSWORD), "X-Forwarded-For", "10.0.6.2")
                .status());
    }

    @Test
    void successResetsTheAccountCounter() {
        auth.register("erin@example.org", "10.0.7.1");
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 2; i++) {
                assertEquals(401, auth.post("/v1/auth/login", credentials("erin@example.org", "wrong-password-" + i),
                                            "X-Forwarded-For", "10.0.7." + (10 * round + i + 2)).status());
            }
            assertEquals(200, auth.post("/v1/auth/login", credentials("erin@example.org", STRONG_PASSWORD),
                                        "X-Forwarded-For", "10.0.7.30").status());
        }
    }

    @Test
    void adminListsUsersAndOthersAreForbidden() {
        Answer list = auth.get("/v1/auth/users?limit=2&offset=0", "Authorization", admin());
        assertEquals(200, list.status(), list.body());
        assertEquals(2, list.json().get("users").size());
        assertEquals(ADMIN, list.json().get("users").get(0).get("email").asText());
        assertTrue(list.json().get("total").asLong() >= 2);
        assertEquals(2, list.json().get("limit").asInt());

        Answer forbidden = auth.get("/v1/auth/users", "Authorization", "Bearer " + auth.accessToken(ALICE, "10.0.8.1"));
        assertEquals(403, forbidden.status());
        assertEquals("forbidden", forbidden.json().get("code").asText());
        assertEquals(401, auth.get("/v1/auth/users").status());
        assertEquals(400, auth.get("/v1/auth/users?limit=0", "Authorization", admin()).status());
        assertEquals(400, auth.get("/v1/auth/users?limit=abc", "Authorization", admin()).status());
    }

    @Test
    void disabledUserCannotLogInRefreshOrUseKeysUntilEnabled() {
        String id = auth.register("frank@example.org", "10.0.9.1");
        JsonNode pair = auth.login("frank@example.org", "10.0.9.1");
        String access = "Bearer " + pair.get("access_token").asText();
        String key = auth.post("/v1/auth/api-keys", "{}", "Authorization", access).json().get("key").asText();

        Answer disabled = auth.post("/v1/auth/users/" + id + "/disable", null, "Authorization", admin());
        assertEquals(200, disabled.status(), disabled.body());
        assertTrue(disabled.json().get("disabled").asBoolean());

        Answer login = auth.post("/v1/auth/login", credentials("frank@example.org", STRONG_PASSWORD),
                                 "X-Forwarded-For", "10.0.9.2");
        assertEquals(403, login.status());
        assertEquals("account_disabled", login.json().get("code").asText());
        Answer refresh = auth.post("/v1/auth/refresh",
                                   AuthClient.json(Map.of("refresh_token", pair.get("refresh_token").asText())));
        assertEquals(401, refresh.status());
        assertEquals(401, auth.get("/v1/auth/me", "Authorization", "Bearer " + key).status());
        assertEquals(403, auth.get("/v1/auth/me", "Authorization", access).status());
        assertFalse(auth.post("/internal/v1/auth/api-keys/introspect", AuthClient.json(Map.of("key", key))).json()
                            .get("active").asBoolean());

        assertEquals(200, auth.post("/v1/auth/users/" + id + "/enable", null, "Authorization", admin()).status());
        assertEquals(200, auth.post("/v1/auth/login", credentials("frank@example.org", STRONG_PASSWORD), "X-Forwarded-For",
                                    "10.0.9.3").status());
        assertEquals(200, auth.get("/v1/auth/me", "Authorization", "Bearer " + key).status());
    }

    @Test
    void disableAnswers404ForUnknownUsersAnd409ForYourself() {
        assertEquals(404, auth.post("/v1/auth/users/3f1c0f1e-0000-4000-8000-000000000000/disable", null,
                                    "Authorization", admin()).status());
        assertEquals(404, auth.post("/v1/auth/users/not-a-uuid/disable", null, "Authorization", admin()).status());
        String adminId = auth.get("/v1/auth/me", "Authorization", admin()).json().get("id").asText();
        Answer self = auth.post("/v1/auth/users/" + adminId + "/disable", null, "Authorization", admin());
        assertEquals(409, self.status());
        assertEquals("You cannot disable your own account", self.json().get("detail").asText());
    }

    @Test
    void wrongMethodIs405WithAllow() {
        Answer a = auth.get("/v1/auth/login");
        assertEquals(405, a.status());
        assertEquals("POST", a.header("Allow"));
    }
}
