package ai.universal.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signs access tokens: RS256 with the current signing key, header {@code kid} and {@code typ: JWT}; claims
 * {@code iss}, {@code sub} (user id), {@code iat}, {@code exp}, {@code jti}, {@code roles} and {@code scope}
 * (space-separated; {@code *} for a login, an API key's scopes for an exchanged token, plus {@code key_id}).
 */
public final class AccessTokens {
    private final SigningKeys keys;
    private final String issuer;
    private final Duration ttl;
    private final Clock clock;

    /**
     * An issued token.
     *
     * @param token     compact JWS
     * @param expiresAt expiry
     * @param expiresIn seconds until expiry
     */
    public record Issued(String token, Instant expiresAt, long expiresIn) {
    }

    /**
     * Create.
     *
     * @param keys   signing keys
     * @param issuer {@code iss}
     * @param ttl    lifetime
     * @param clock  clock
     */
    public AccessTokens(SigningKeys keys, String issuer, Duration ttl, Clock clock) {
        this.keys = keys;
        this.issuer = issuer;
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * The configured lifetime.
     *
     * @return ttl
     */
    public Duration ttl() {
        return ttl;
    }

    /**
     * Issue a token.
     *
     * @param subject   user id
     * @param roles     roles
     * @param scopes    scopes
     * @param keyId     the API key it was exchanged for, or null
     * @param notAfter  a time the token must not outlive (the API key's expiry), or null
     * @return token
     */
    public Issued issue(String subject, List<String> roles, List<String> scopes, String keyId, Instant notAfter) {
        Instant now = clock.instant();
        Instant exp = now.plus(ttl);
        if (notAfter != null && notAfter.isBefore(exp)) {
            exp = notAfter;
        }
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(exp))
                .jwtID(UUID.randomUUID().toString())
                .claim("roles", roles)
                .claim("scope", String.join(" ", scopes));
        if (keyId != null) {
            claims.claim("key_id", keyId);
        }
        RSAKey key = keys.signingKey();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
                                              .keyID(key.getKeyID())
                                              .type(JOSEObjectType.JWT)
                                              .build(), claims.build());
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("Signing failed", e);
        }
        long seconds = Math.max(0, exp.getEpochSecond() - now.getEpochSecond());
        return new Issued(jwt.serialize(), Instant.ofEpochSecond(exp.getEpochSecond()), seconds);
    }
}
