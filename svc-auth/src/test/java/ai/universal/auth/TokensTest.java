package ai.universal.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import ai.universal.auth.AuthClient.Answer;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access-token contents and verification, refresh rotation, reuse detection and logout.
 */
@ExtendWith(RealInfra.class)
class TokensTest {
    private static final String USER = "tess@example.org";
    private static AuthClient auth;
    private static String userId;

    @BeforeAll
    static void start(TestInfra.Infra infra) {
        auth = AuthClient.start(infra, Map.of());
        auth.register("first@example.org", "10.1.0.1");
        userId = auth.register(USER, "10.1.0.1");
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    private static Answer me(String token) {
        return auth.get("/v1/auth/me", "Authorization", "Bearer " + token);
    }

    private static Answer refresh(String refreshToken) {
        return auth.post("/v1/auth/refresh", AuthClient.json(Map.of("refresh_token", refreshToken)));
    }

    @Test
    void accessTokenCarriesTheAgreedHeaderAndClaims() throws Exception {
        String token = auth.accessToken(USER, "10.1.1.1");
        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        JWKSet jwks = JWKSet.parse(auth.get("/v1/auth/.well-known/jwks.json").body());
        assertNotNull(jwks.getKeyByKeyId(jwt.getHeader().getKeyID()));
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals("universal-ai-tools", claims.getIssuer());
        assertEquals(userId, claims.getSubject());
        assertEquals(List.of("user"), claims.getStringListClaim("roles"));
        assertEquals("*", claims.getStringClaim("scope"));
        assertNotNull(claims.getJWTID());
        assertEquals(900_000, claims.getExpirationTime().getTime() - claims.getIssueTime().getTime());
    }

    @Test
    void jwksPublishesOnlyPublicRsaKeys() throws Exception {
        Answer a = auth.get("/v1/auth/.well-known/jwks.json");
        assertEquals(200, a.status());
        assertEquals("application/json", a.header("Content-Type"));
        JWKSet set = JWKSet.parse(a.body());
        assertEquals(1, set.getKeys().size());
        RSAKey key = (RSAKey) set.getKeys().getFirst();
        assertFalse(key.isPrivate());
        assertEquals(2048, key.size());
        assertEquals("RS256", key.getAlgorithm().getName());
        assertFalse(a.body().contains("\"d\""));
    }

    @Test
    void refreshRotatesThePairAndSpendsTheOldToken() {
        JsonNode first = auth.login(USER, "10.1.2.1");
        Answer second = refresh(first.get("refresh_token").asText());
        assertEquals(200, second.status(), second.body());
        String next = second.json().get("refresh_token").asText();
        assertNotEquals(first.get("refresh_token").asText(), next);
        assertEquals(200, me(second.json().get("access_token").asText()).status());
        assertEquals(200, refresh(next).status());
    }

    @Test
    void reusedRefreshTokenRevokesTheWholeFamily() {
        JsonNode first = auth.login(USER, "10.1.3.1");
        String spent = first.get("refresh_token").asText();
        String successor = refresh(spent).json().get("refresh_token").asText();

        Answer reuse = refresh(spent);
        assertEquals(401, reuse.status());
        assertEquals("refresh_token_reused", reuse.json().get("code").asText());
        Answer afterRevoke = refresh(successor);
        assertEquals(401, afterRevoke.status());
        assertEquals("invalid_refresh_token", afterRevoke.json().get("code").asText());

        JsonNode other = auth.login(USER, "10.1.3.2");
        assertEquals(200, refresh(other.get("refresh_token").asText()).status(), "other sessions are untouched");
    }

    @Test
    void logoutRevokesTheFamily() {
        JsonNode pair = auth.login(USER, "10.1.4.1");
        String successor = refresh(pair.get("refresh_token").asText()).json().get("refresh_token").asText();
        Answer logout = auth.post("/v1/auth/logout", AuthClient.json(Map.of("refresh_token", successor)));
        assertEquals(204, logout.status());
        assertEquals("invalid_refresh_token", refresh(successor).json().get("code").asText());
        assertEquals(401, auth.post("/v1/auth/logout", AuthClient.json(Map.of("refresh_token", "urt_nonsense"))).status());
    }

    @Test
    void unknownOrMissingRefreshTokensAreRefused() {
        Answer unknown = refresh("urt_" + "A".repeat(43));
        assertEquals(401, unknown.status());
        assertEquals("Refresh token is invalid or expired", unknown.json().get("detail").asText());
        Answer missing = auth.post("/v1/auth/refresh", "{}");
        assertEquals(422, missing.status());
        assertEquals("refresh_token", missing.json().get("errors").get(0).get("field").asText());
    }

    @Test
    void tokenWithAlgNoneIsRefused() {
        String[] parts = auth.accessToken(USER, "10.1.5.1").split("\\.");
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        Answer a = me(header + "." + parts[1] + ".");
        assertEquals(401, a.status());
        assertEquals("token is not a signed JWT", a.json().get("detail").asText());
        assertTrue(a.header("WWW-Authenticate").contains("error=\"invalid_token\""));
    }

    @Test
    void hs256SignedWithThePublicKeyIsRefused() throws Exception {
        String token = auth.accessToken(USER, "10.1.6.1");
        SignedJWT original = SignedJWT.parse(token);
        String publicJwks = auth.get("/v1/auth/.well-known/jwks.json").body();
        RSAKey publicKey = (RSAKey) JWKSet.parse(publicJwks).getKeyByKeyId(original.getHeader().getKeyID());
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(publicKey.getKeyID()).build(),
                                         original.getJWTClaimsSet());
        byte[] secret = publicKey.toJSONString().getBytes(StandardCharsets.UTF_8);
        forged.sign(new MACSigner(secret));
        Answer a = me(forged.serialize());
        assertEquals(401, a.status());
        assertEquals("token algorithm HS256 is not accepted", a.json().get("detail").asText());
    }

    @Test
    void tamperedPayloadIsRefused() {
        String[] parts = auth.accessToken(USER, "10.1.7.1").split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"roles\":[\"user\"]", "\"roles\":[\"admin\"]");
        Answer a = me(parts[0] + "." + b64(payload) + "." + parts[2]);
        assertEquals(401, a.status());
        assertEquals("token signature is invalid", a.json().get("detail").asText());
    }

    @Test
    void tokenSignedByAnUnknownKeyIsRefused() throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("stranger").build(),
                                      new JWTClaimsSet.Builder().issuer("universal-ai-tools").subject(userId)
                                              .expirationTime(new Date(System.currentTimeMillis() + 60_000))
                                              .claim("roles", List.of("admin")).claim("scope", "*").build());
        jwt.sign(new RSASSASigner(stranger));
        Answer a = me(jwt.serialize());
        assertEquals(401, a.status());
        assertEquals("token signed by an unknown key", a.json().get("detail").asText());
    }

    @Test
    void malformedOrNonBearerCredentialsAreRefused() {
        Answer a = me("not.a.jwt");
        assertEquals(401, a.status());
        Answer basic = auth.get("/v1/auth/me", "Authorization", "Basic dXNlcjpwYXNz");
        assertEquals(401, basic.status());
        assertEquals("Authorization must be 'Bearer <token>'", basic.json().get("detail").asText());
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
