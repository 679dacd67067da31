package ai.universal.auth;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import ai.universal.auth.AuthClient.Answer;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything that depends on time passing — token expiry, refresh-token expiry, API-key expiry, key rotation and
 * retirement — on a clock the test moves. Each test logs in afresh, so moving the clock never breaks another test.
 */
@ExtendWith(RealInfra.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyLifecycleTest {
    private static final String ADMIN = "ops@example.org";
    private static final String USER = "uma@example.org";
    private static final MutableClock CLOCK = new MutableClock(Instant.now());
    private static TestInfra.Infra infra;
    private static AuthClient auth;

    @BeforeAll
    static void start(TestInfra.Infra testInfra) {
        infra = testInfra;
        auth = AuthClient.start(infra, Map.of("SIGNING_KEY_RELOAD", "30s", "JWT_CLOCK_SKEW", "30s"), CLOCK);
        auth.register(ADMIN, "10.3.0.1");
        auth.register(USER, "10.3.0.1");
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    private static Answer me(String token) {
        return auth.get("/v1/auth/me", "Authorization", "Bearer " + token);
    }

    private static JWKSet jwks() throws Exception {
        return JWKSet.parse(auth.get("/v1/auth/.well-known/jwks.json").body());
    }

    @Test
    @Order(1)
    void accessTokenExpiresAfterItsTtlPlusSkew() {
        String token = auth.accessToken(USER, "10.3.1.1");
        CLOCK.advance(Duration.ofMinutes(15).plusSeconds(20));
        assertEquals(200, me(token).status(), "within the clock skew");
        CLOCK.advance(Duration.ofSeconds(20));
        Answer expired = me(token);
        assertEquals(401, expired.status());
        assertEquals("token expired", expired.json().get("detail").asText());
    }

    @Test
    @Order(2)
    void refreshTokenExpiresAfterItsTtl() {
        String refresh = auth.login(USER, "10.3.2.1").get("refresh_token").asText();
        CLOCK.advance(Duration.ofDays(30).plusSeconds(1));
        Answer a = auth.post("/v1/auth/refresh", AuthClient.json(Map.of("refresh_token", refresh)));
        assertEquals(401, a.status());
        assertEquals("invalid_refresh_token", a.json().get("code").asText());
    }

    @Test
    @Order(3)
    void apiKeyStopsAtItsExpiry() {
        String bearer = "Bearer " + auth.accessToken(USER, "10.3.3.1");
        String key = auth.post("/v1/auth/api-keys", "{\"expires_in\":60}", "Authorization", bearer).json().get("key").asText();
        String exchanged = auth.post("/v1/auth/token", AuthClient.json(Map.of("api_key", key))).json().get("access_token")
                .asText();
        assertEquals(200, me("" + key).status());
        CLOCK.advance(Duration.ofSeconds(61));
        assertEquals(401, me(key).status());
        assertFalse(auth.post("/internal/v1/auth/api-keys/introspect", AuthClient.json(Map.of("key", key))).json()
                            .get("active").asBoolean());
        CLOCK.advance(Duration.ofSeconds(30));
        assertEquals(401, me(exchanged).status(), "an exchanged token never outlives its key");
    }

    @Test
    @Order(4)
    void rotationKeepsOldTokensValidUntilTheyExpireAndNewTokensVerify() throws Exception {
        String adminBearer = "Bearer " + auth.accessToken(ADMIN, "10.3.4.1");
        String oldToken = auth.accessToken(USER, "10.3.4.1");
        String oldKid = SignedJWT.parse(oldToken).getHeader().getKeyID();

        Answer rotated = auth.post("/v1/auth/keys/rotate", null, "Authorization", adminBearer);
        assertEquals(200, rotated.status(), rotated.body());
        String newKid = rotated.json().get("kid").asText();
        assertEquals(oldKid, rotated.json().get("previous_kid").asText());
        assertEquals(CLOCK.instant().plus(Duration.ofMinutes(15).plusSeconds(60)),
                     Instant.parse(rotated.json().get("previous_verifies_until").asText()));

        JWKSet both = jwks();
        assertEquals(2, both.getKeys().size());
        assertNotNull(both.getKeyByKeyId(oldKid));
        assertNotNull(both.getKeyByKeyId(newKid));

        String newToken = auth.accessToken(USER, "10.3.4.2");
        assertEquals(newKid, SignedJWT.parse(newToken).getHeader().getKeyID());
        assertEquals(200, me(newToken).status());
        assertEquals(200, me(oldToken).status(), "tokens signed before the rotation still verify");

        CLOCK.advance(Duration.ofMinutes(16).plusSeconds(10));
        JWKSet after = jwks();
        assertEquals(1, after.getKeys().size());
        assertNotNull(after.getKeyByKeyId(newKid));
        assertEquals(401, me(oldToken).status());
    }

    @Test
    @Order(5)
    void rotationNeedsAnAdmin() {
        Answer a = auth.post("/v1/auth/keys/rotate", null, "Authorization", "Bearer " + auth.accessToken(USER, "10.3.5.1"));
        assertEquals(403, a.status());
    }

    @Test
    @Order(6)
    void rotateKeysCommandRotatesTheSameDatabase() throws Exception {
        String before = auth.accessToken(USER, "10.3.6.1");
        String beforeKid = SignedJWT.parse(before).getHeader().getKeyID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RotateKeysCommand.run(new String[] {"rotate-keys"},
                                         ServiceRunner.environment(AuthClient.testEnvironment(infra, Map.of()), System::getenv),
                                         new PrintStream(out, true, StandardCharsets.UTF_8),
                                         new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("New signing key "), printed);
        assertTrue(printed.contains(beforeKid + " stays in the JWKS until "), printed);

        String newKid = printed.substring("New signing key ".length(), printed.indexOf(';'));
        CLOCK.advance(Duration.ofSeconds(31));
        JsonNode keys = auth.get("/v1/auth/.well-known/jwks.json").json().get("keys");
        assertEquals(2, keys.size(), "the running service picks up the CLI's key at its next reload");
        String after = auth.accessToken(USER, "10.3.6.2");
        assertEquals(newKid, SignedJWT.parse(after).getHeader().getKeyID(), "signs with the new key after the reload");
        assertNotEquals(beforeKid, newKid);
        assertEquals(200, me(before).status());
        assertEquals(200, me(after).status());
    }

    @Test
    @Order(7)
    void rotateKeysCommandRefusesOtherArguments() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RotateKeysCommand.run(new String[] {"rotate"}, System::getenv, System.out,
                                         new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
        assertEquals(2, code);
        assertEquals("usage: java -jar svc-auth.jar [rotate-keys]", err.toString(StandardCharsets.UTF_8).strip());
    }
}
