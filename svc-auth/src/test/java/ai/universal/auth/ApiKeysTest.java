package ai.universal.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import ai.universal.auth.AuthClient.Answer;
import ai.universal.kit.auth.ApiKeyIntrospection;
import ai.universal.kit.auth.Principal;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys: creation, listing, revocation, exchange for a token, direct use, and the introspection endpoint other
 * services call.
 */
@ExtendWith(RealInfra.class)
class ApiKeysTest {
    private static final String USER = "kim@example.org";
    private static AuthClient auth;
    private static String userId;
    private static String bearer;

    @BeforeAll
    static void start(TestInfra.Infra infra) {
        auth = AuthClient.start(infra, Map.of());
        auth.register("root@example.org", "10.2.0.1");
        userId = auth.register(USER, "10.2.0.1");
        bearer = "Bearer " + auth.accessToken(USER, "10.2.0.1");
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    private static JsonNode create(String body) {
        Answer a = auth.post("/v1/auth/api-keys", body, "Authorization", bearer);
        assertEquals(201, a.status(), a.body());
        return a.json();
    }

    private static JsonNode introspect(String key) {
        Answer a = auth.post("/internal/v1/auth/api-keys/introspect", AuthClient.json(Map.of("key", key)));
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    @Test
    void createShowsTheKeyOnceWithTheOwnersFullRightsByDefault() {
        JsonNode created = create("{\"name\":\"ci runner\"}");
        String key = created.get("key").asText();
        assertTrue(key.matches("uat_[A-Za-z0-9_-]{43}"), key);
        assertEquals(key.substring(4, 12), created.get("prefix").asText());
        assertEquals("ci runner", created.get("name").asText());
        assertEquals("[\"*\"]", created.get("scopes").toString());
        assertTrue(created.get("expires_at").isNull());

        Answer list = auth.get("/v1/auth/api-keys", "Authorization", bearer);
        assertEquals(200, list.status());
        assertFalse(list.body().contains(key), "the secret is never listed");
        JsonNode listed = null;
        for (JsonNode k : list.json().get("api_keys")) {
            if (k.get("id").asText().equals(created.get("id").asText())) {
                listed = k;
            }
        }
        assertEquals(created.get("prefix").asText(), listed.get("prefix").asText());
        assertFalse(listed.has("key"));
        assertFalse(listed.get("expired").asBoolean());
    }

    @Test
    void keyWorksDirectlyAsBearerAndAsApiKeyHeader() {
        JsonNode created = create("{\"scopes\":[\"vectors\",\"chat:write\"]}");
        String key = created.get("key").asText();
        Answer asBearer = auth.get("/v1/auth/me", "Authorization", "Bearer " + key);
        assertEquals(200, asBearer.status(), asBearer.body());
        assertEquals(userId, asBearer.json().get("id").asText());
        assertEquals("api_key", asBearer.json().get("credential").get("kind").asText());
        assertEquals(created.get("id").asText(), asBearer.json().get("credential").get("id").asText());
        assertEquals("[\"chat:write\",\"vectors\"]", asBearer.json().get("credential").get("scopes").toString());
        Answer asHeader = auth.get("/v1/auth/me", "api-key", key);
        assertEquals(200, asHeader.status());
    }

    @Test
    void keyIsExchangedForAShortLivedTokenWithItsScopes() throws Exception {
        JsonNode created = create("{\"scopes\":[\"memories:read\"],\"expires_in\":600}");
        String key = created.get("key").asText();
        Answer body = auth.post("/v1/auth/token", AuthClient.json(Map.of("api_key", key)));
        assertEquals(200, body.status(), body.body());
        assertEquals("Bearer", body.json().get("token_type").asText());
        assertEquals("memories:read", body.json().get("scope").asText());
        assertTrue(body.json().get("expires_in").asLong() <= 600, "never outlives the key");
        SignedJWT jwt = SignedJWT.parse(body.json().get("access_token").asText());
        assertEquals(userId, jwt.getJWTClaimsSet().getSubject());
        assertEquals("memories:read", jwt.getJWTClaimsSet().getStringClaim("scope"));
        assertEquals(created.get("id").asText(), jwt.getJWTClaimsSet().getStringClaim("key_id"));

        Answer header = auth.post("/v1/auth/token", null, "Authorization", "Bearer " + key);
        assertEquals(200, header.status(), header.body());
        Answer me = auth.get("/v1/auth/me", "Authorization", "Bearer " + header.json().get("access_token").asText());
        assertEquals("[\"memories:read\"]", me.json().get("credential").get("scopes").toString());
    }

    @Test
    void exchangeRefusesMissingOrInvalidKeys() {
        Answer none = auth.post("/v1/auth/token", null);
        assertEquals(401, none.status());
        Answer unknown = auth.post("/v1/auth/token", AuthClient.json(Map.of("api_key", "uat_" + "B".repeat(43))));
        assertEquals(401, unknown.status());
        assertEquals("invalid_credentials", unknown.json().get("code").asText());
        assertEquals("API key is not valid", unknown.json().get("detail").asText());
        Answer jwt = auth.post("/v1/auth/token", AuthClient.json(Map.of("api_key", "eyJhbGciOi")));
        assertEquals(422, jwt.status());
    }

    @Test
    void revokedKeyStopsWorkingEverywhere() {
        JsonNode created = create("{}");
        String key = created.get("key").asText();
        assertTrue(introspect(key).get("active").asBoolean());
        Answer delete = auth.delete("/v1/auth/api-keys/" + created.get("id").asText(), "Authorization", bearer);
        assertEquals(204, delete.status());
        assertEquals(401, auth.get("/v1/auth/me", "Authorization", "Bearer " + key).status());
        assertEquals("{\"active\":false}", introspect(key).toString());
        assertEquals(401, auth.post("/v1/auth/token", AuthClient.json(Map.of("api_key", key))).status());
        assertEquals(404, auth.delete("/v1/auth/api-keys/" + created.get("id").asText(), "Authorization", bearer).status());
        assertEquals(404, auth.delete("/v1/auth/api-keys/nope", "Authorization", bearer).status());
    }

    @Test
    void onlyTheOwnerCanDeleteAKey() {
        JsonNode created = create("{}");
        auth.register("lee@example.org", "10.2.1.1");
        String other = "Bearer " + auth.accessToken("lee@example.org", "10.2.1.1");
        assertEquals(404, auth.delete("/v1/auth/api-keys/" + created.get("id").asText(), "Authorization", other).status());
        assertTrue(introspect(created.get("key").asText()).get("active").asBoolean());
    }

    @Test
    void introspectionAnswersWhatSvcKitParses() {
        String expiry = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS).toString();
        JsonNode created = create("{\"scopes\":[\"vectors:read\"],\"expires_at\":\"" + expiry + "\"}");
        JsonNode answer = introspect(created.get("key").asText());
        assertTrue(answer.get("active").asBoolean());
        assertEquals(userId, answer.get("sub").asText());
        assertEquals("[\"user\"]", answer.get("roles").toString());
        assertEquals("[\"vectors:read\"]", answer.get("scopes").toString());
        assertEquals(created.get("id").asText(), answer.get("key_id").asText());
        assertEquals(expiry, answer.get("expires_at").asText());

        Principal principal = ApiKeyIntrospection.parse(answer).orElseThrow();
        assertEquals(userId, principal.subject());
        assertTrue(principal.hasScope("vectors:read"));
        assertFalse(principal.hasScope("vectors:write"));

        assertEquals("{\"active\":false}", introspect("uat_unknown").toString());
        assertEquals("{\"active\":false}", introspect("not-a-key").toString());
        Answer missing = auth.post("/internal/v1/auth/api-keys/introspect", "{}");
        assertEquals(422, missing.status());
        assertEquals(400, auth.post("/internal/v1/auth/api-keys/introspect", "{\"key\":").status());
    }

    @Test
    void scopesCannotExceedTheCreatingCredential() {
        String limitedKey = create("{\"scopes\":[\"vectors\"]}").get("key").asText();
        String limitedToken = auth.post("/v1/auth/token", AuthClient.json(Map.of("api_key", limitedKey))).json()
                .get("access_token").asText();
        Answer withLimitedToken = auth.post("/v1/auth/api-keys", "{}", "Authorization", "Bearer " + limitedToken);
        assertEquals(403, withLimitedToken.status());
        assertEquals("This call needs the scope 'auth:keys'", withLimitedToken.json().get("detail").asText());

        String keysKey = create("{\"scopes\":[\"auth:keys\",\"vectors:read\"]}").get("key").asText();
        Answer escalate = auth.post("/v1/auth/api-keys", "{\"scopes\":[\"*\"]}", "Authorization", "Bearer " + keysKey);
        assertEquals(422, escalate.status());
        assertEquals("scope '*' exceeds the scopes of the credential creating the key", escalate.json().get("detail").asText());
        Answer inherited = auth.post("/v1/auth/api-keys", null, "Authorization", "Bearer " + keysKey);
        assertEquals(201, inherited.status(), inherited.body());
        assertEquals("[\"auth:keys\",\"vectors:read\"]", inherited.json().get("scopes").toString());
    }

    @Test
    void invalidKeyRequestsAre422() {
        Map<String, String> cases = Map.of(
                "{\"scopes\":[]}", "scopes",
                "{\"scopes\":[\"Not Valid\"]}", "scopes",
                "{\"expires_in\":0}", "expires_in",
                "{\"expires_in\":60,\"expires_at\":\"2099-01-01T00:00:00Z\"}", "expires_in",
                "{\"expires_at\":\"tomorrow\"}", "expires_at",
                "{\"expires_at\":\"2001-01-01T00:00:00Z\"}", "expires_at",
                "{\"name\":\"\"}", "name");
        cases.forEach((body, field) -> {
            Answer a = auth.post("/v1/auth/api-keys", body, "Authorization", bearer);
            assertEquals(422, a.status(), body + " → " + a.body());
            assertEquals(field, a.json().get("errors").get(0).get("field").asText(), body);
        });
        assertEquals(400, auth.post("/v1/auth/api-keys", "{\"scopes\":\"vectors\"}", "Authorization", bearer).status());
        assertEquals(401, auth.post("/v1/auth/api-keys", "{}").status());
    }

    @Test
    void expiresInSetsTheExpiryFromCreation() {
        JsonNode created = create("{\"expires_in\":3600}");
        Instant createdAt = Instant.parse(created.get("created_at").asText());
        assertEquals(createdAt.plusSeconds(3600), Instant.parse(created.get("expires_at").asText()));
        assertNull(created.get("expired"));
    }
}
