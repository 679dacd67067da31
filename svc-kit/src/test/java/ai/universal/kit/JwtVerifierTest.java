package ai.universal.kit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import ai.universal.kit.auth.InvalidCredentialsException;
import ai.universal.kit.auth.JwtVerifier;
import ai.universal.kit.auth.Principal;
import ai.universal.kit.auth.RemoteJwks;
import ai.universal.kit.infra.TestAuthServer;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token checks of the svc-kit filter, one attack or mistake per test.
 */
class JwtVerifierTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final String ISSUER = "universal-ai-tools";
    private static RSAKey key;
    private static RSAKey otherKey;

    @BeforeAll
    static void keys() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("k1").generate();
    }

    private static JwtVerifier verifier(String audience) {
        return new JwtVerifier(kid -> kid.equals("k1") ? Optional.<JWK>of(key.toPublicJWK()) : Optional.empty(),
                               Set.of(JWSAlgorithm.RS256), ISSUER, audience, Duration.ofSeconds(30),
                               Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("user-7")
                .issueTime(Date.from(NOW.minusSeconds(60)))
                .expirationTime(Date.from(NOW.plusSeconds(840)))
                .jwtID("jti-1")
                .claim("roles", List.of("user"))
                .claim("scope", "vectors:read chat");
    }

    private static String sign(RSAKey with, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    private static void rejected(String token, String reason) {
        InvalidCredentialsException e = assertThrows(InvalidCredentialsException.class, () -> verifier(null).verify(token));
        assertEquals(reason, e.getMessage());
    }

    @Test
    void validTokenGivesPrincipal() throws Exception {
        Principal p = verifier(null).verify(sign(key, "k1", claims().build()));
        assertEquals("user-7", p.subject());
        assertEquals(Set.of("user"), p.roles());
        assertTrue(p.hasScope("vectors:read"));
        assertTrue(p.hasScope("chat:write"));
        assertEquals(Principal.Kind.ACCESS_TOKEN, p.kind());
        assertEquals("jti-1", p.credentialId());
    }

    @Test
    void expiredTokenIsRejected() throws Exception {
        rejected(sign(key, "k1", claims().expirationTime(Date.from(NOW.minusSeconds(31))).build()), "token expired");
    }

    @Test
    void expiryWithinClockSkewIsAccepted() throws Exception {
        verifier(null).verify(sign(key, "k1", claims().expirationTime(Date.from(NOW.minusSeconds(20))).build()));
    }

    @Test
    void tokenWithoutExpiryIsRejected() throws Exception {
        rejected(sign(key, "k1", claims().expirationTime(null).build()), "token has no expiry");
    }

    @Test
    void notYetValidTokenIsRejected() throws Exception {
        rejected(sign(key, "k1", claims().notBeforeTime(Date.from(NOW.plusSeconds(120))).build()), "token is not valid yet");
    }

    @Test
    void foreignIssuerIsRejected() throws Exception {
        rejected(sign(key, "k1", claims().issuer("evil").build()), "token issuer is not accepted");
    }

    @Test
    void audienceIsCheckedWhenConfigured() throws Exception {
        String token = sign(key, "k1", claims().audience("svc-chat").build());
        assertEquals("user-7", verifier("svc-chat").verify(token).subject());
        assertThrows(InvalidCredentialsException.class, () -> verifier("svc-vector").verify(token));
    }

    @Test
    void unknownKeyIdIsRejected() throws Exception {
        rejected(sign(key, "k-unknown", claims().build()), "token signed by an unknown key");
    }

    @Test
    void signatureByAnotherKeyWithTheSameKidIsRejected() throws Exception {
        rejected(sign(otherKey, "k1", claims().build()), "token signature is invalid");
    }

    @Test
    void algNoneIsRejected() {
        String token = new PlainJWT(claims().build()).serialize();
        rejected(token, "token is not a signed JWT");
    }

    @Test
    void hs256SignedWithThePublicKeyIsRejected() throws Exception {
        byte[] publicKeyBytes = key.toRSAPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
        jwt.sign(new MACSigner(java.util.Arrays.copyOf(publicKeyBytes, Math.max(32, publicKeyBytes.length))));
        rejected(jwt.serialize(), "token algorithm HS256 is not accepted");
    }

    @Test
    void tamperedPayloadIsRejected() throws Exception {
        String[] parts = sign(key, "k1", claims().build()).split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"user-7\"", "\"admin-1\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "." + parts[2];
        rejected(forged, "token signature is invalid");
    }

    @Test
    void symmetricAlgorithmsCannotBeAllowed() {
        assertThrows(IllegalArgumentException.class,
                     () -> new JwtVerifier(kid -> Optional.empty(), Set.of(JWSAlgorithm.HS256), ISSUER, null,
                                           Duration.ZERO, Clock.systemUTC()));
    }

    @Test
    void rememberedTokenStillExpiresAndStopsWhenItsKeyLeavesTheKeySet() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        java.util.concurrent.atomic.AtomicReference<JWK> served = new java.util.concurrent.atomic.AtomicReference<>(key.toPublicJWK());
        JwtVerifier verifier = new JwtVerifier(kid -> kid.equals("k1") ? Optional.ofNullable(served.get()) : Optional.empty(),
                                               Set.of(JWSAlgorithm.RS256), ISSUER, null, Duration.ofSeconds(30), clock);
        String token = sign(key, "k1", claims().notBeforeTime(Date.from(NOW.minusSeconds(10))).build());
        assertEquals("user-7", verifier.verify(token).subject());
        assertEquals("user-7", verifier.verify(token).subject(), "the second use is served from memory");

        clock.advance(Duration.ofSeconds(840 + 31));
        InvalidCredentialsException expired = assertThrows(InvalidCredentialsException.class, () -> verifier.verify(token));
        assertEquals("token expired", expired.getMessage());

        MutableClock early = new MutableClock(NOW.minusSeconds(60));
        JwtVerifier notYet = new JwtVerifier(kid -> Optional.of(key.toPublicJWK()), Set.of(JWSAlgorithm.RS256), ISSUER, null,
                                             Duration.ofSeconds(30), early);
        String later = sign(key, "k1", claims().notBeforeTime(Date.from(NOW)).build());
        assertEquals("token is not valid yet",
                     assertThrows(InvalidCredentialsException.class, () -> notYet.verify(later)).getMessage());
        early.advance(Duration.ofSeconds(60));
        assertEquals("user-7", notYet.verify(later).subject());
        assertEquals("user-7", notYet.verify(later).subject());

        clock.advance(Duration.ofSeconds(-(840 + 31)));
        assertEquals("user-7", verifier.verify(token).subject());
        served.set(otherKey.toPublicJWK());
        InvalidCredentialsException rotated = assertThrows(InvalidCredentialsException.class, () -> verifier.verify(token));
        assertEquals("token signature is invalid", rotated.getMessage(), "a replaced key re-runs the full check");
        served.set(null);
        InvalidCredentialsException removed = assertThrows(InvalidCredentialsException.class, () -> verifier.verify(token));
        assertEquals("token signed by an unknown key", removed.getMessage());
    }

    @Test
    void remoteJwksRefreshesOnUnknownKidAtMostOncePerInterval() {
        try (TestAuthServer auth = TestAuthServer.start()) {
            MutableClock clock = new MutableClock(NOW);
            RemoteJwks jwks = new RemoteJwks(java.net.URI.create(auth.environment().get("JWKS_URL")), Duration.ofMinutes(10),
                                             Duration.ofSeconds(30), clock);
            JwtVerifier verifier = new JwtVerifier(jwks, Set.of(JWSAlgorithm.RS256), ISSUER, null, Duration.ofSeconds(30),
                                                   Clock.systemUTC());
            assertEquals("u1", verifier.verify(auth.token("u1", List.of("user"), "*")).subject());
            assertEquals(1, auth.jwksFetches());
            for (int i = 0; i < 5; i++) {
                assertTrue(jwks.key("made-up-" + i).isEmpty());
            }
            assertEquals(1, auth.jwksFetches(), "unknown kids within the interval cause no fetch");
            clock.advance(Duration.ofSeconds(31));
            assertTrue(jwks.key("made-up-again").isEmpty());
            assertEquals(2, auth.jwksFetches(), "one refresh once the interval has passed");
            assertEquals("u1", verifier.verify(auth.token("u1", List.of("user"), "*")).subject());
            assertEquals(2, auth.jwksFetches(), "known kid is served from the cache");
        }
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
