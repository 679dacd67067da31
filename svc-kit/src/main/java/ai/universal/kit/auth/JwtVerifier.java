package ai.universal.kit.auth;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Verifies svc-auth's access tokens: JWS only (an unsecured {@code alg: none} token is not even parsed as one), the
 * header algorithm must be on an explicit allow-list of asymmetric algorithms (so a token HMAC-signed with the public
 * key as secret is refused before any key is looked at), the key is found by {@code kid} and must be of the family the
 * algorithm needs, then {@code exp} (required), {@code nbf}, {@code iss} and, when configured, {@code aud} are checked
 * with a small clock skew.
 * <p>
 * A token that passed every check is remembered (its exact compact form, bounded in number), so the next request
 * with the same token skips parsing and the signature check; the time checks ({@code exp}, {@code nbf}) still run
 * every time, and its key must still be the one the key source serves for its {@code kid} (a key removed from the
 * JWKS stops its cached tokens too). Failures are never remembered.
 */
public final class JwtVerifier {
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
                                                               JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
                                                               JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final JwksSource keys;
    private final Set<JWSAlgorithm> allowed;
    private final String issuer;
    private final String audience;
    private final Duration skew;
    private final Clock clock;
    /** Verifiers are built once per key (building one re-derives the public key's parameters). */
    private final java.util.Map<JWK, JWSVerifier> verifiers = new java.util.concurrent.ConcurrentHashMap<>();
    /** Tokens that passed every check, by their compact form. */
    private final java.util.Map<String, Verified> verified = new java.util.concurrent.ConcurrentHashMap<>();

    private static final int MAX_REMEMBERED = 4096;

    /**
     * A token that passed: what the per-use checks need.
     *
     * @param principal the principal
     * @param kid       key id
     * @param key       the key that verified it
     * @param notBefore {@code nbf}, or null
     */
    private record Verified(Principal principal, String kid, JWK key, Instant notBefore) {
    }

    /**
     * Create a verifier.
     *
     * @param keys     where keys come from
     * @param allowed  allowed algorithms (asymmetric ones only; anything else is refused at construction)
     * @param issuer   required {@code iss}
     * @param audience required {@code aud} member, or null to not check
     * @param skew     tolerated clock difference
     * @param clock    clock
     */
    public JwtVerifier(JwksSource keys, Set<JWSAlgorithm> allowed, String issuer, String audience, Duration skew,
                       Clock clock) {
        for (JWSAlgorithm alg : allowed) {
            if (!ASYMMETRIC.contains(alg)) {
                throw new IllegalArgumentException("Algorithm " + alg + " may not be allowed for access tokens");
            }
        }
        this.keys = keys;
        this.allowed = Set.copyOf(allowed);
        this.issuer = issuer;
        this.audience = audience;
        this.skew = skew;
        this.clock = clock;
    }

    /**
     * Parse an algorithm list such as {@code RS256,ES256}.
     *
     * @param csv comma-separated names
     * @return algorithms
     */
    public static Set<JWSAlgorithm> algorithms(String csv) {
        Set<JWSAlgorithm> result = new HashSet<>();
        for (String name : csv.split(",")) {
            if (!name.isBlank()) {
                result.add(JWSAlgorithm.parse(name.trim()));
            }
        }
        return result;
    }

    /**
     * Verify a compact JWS and map it to a principal.
     *
     * @param token compact serialization
     * @return the principal
     * @throws InvalidCredentialsException with a reason safe to show the caller
     */
    public Principal verify(String token) {
        Verified known = verified.get(token);
        if (known != null && keys.key(known.kid()).filter(known.key()::equals).isPresent()) {
            checkTimes(known.principal().expiresAt(), known.notBefore());
            return known.principal();
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | IllegalArgumentException e) {
            throw new InvalidCredentialsException("token is not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        if (!allowed.contains(header.getAlgorithm())) {
            throw new InvalidCredentialsException("token algorithm " + header.getAlgorithm() + " is not accepted");
        }
        String kid = header.getKeyID();
        if (kid == null) {
            throw new InvalidCredentialsException("token has no key id");
        }
        JWK key = keys.key(kid).orElseThrow(() -> new InvalidCredentialsException("token signed by an unknown key"));
        try {
            JWSVerifier verifier = verifiers.get(key);
            if (verifier == null) {
                verifier = verifier(header.getAlgorithm(), key);
                if (verifiers.size() > 64) {
                    verifiers.clear();
                }
                verifiers.put(key, verifier);
            }
            if (!verifier.supportedJWSAlgorithms().contains(header.getAlgorithm()) || !jwt.verify(verifier)) {
                throw new InvalidCredentialsException("token signature is invalid");
            }
        } catch (JOSEException e) {
            throw new InvalidCredentialsException("token signature is invalid");
        }
        Principal principal;
        Date nbf;
        try {
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            principal = principal(claims);
            nbf = claims.getNotBeforeTime();
        } catch (ParseException e) {
            throw new InvalidCredentialsException("token claims are malformed");
        }
        if (verified.size() >= MAX_REMEMBERED) {
            verified.clear();
        }
        verified.put(token, new Verified(principal, kid, key, nbf == null ? null : nbf.toInstant()));
        return principal;
    }

    private void checkTimes(Instant exp, Instant nbf) {
        Instant now = clock.instant();
        if (now.minus(skew).isAfter(exp)) {
            throw new InvalidCredentialsException("token expired");
        }
        if (nbf != null && now.plus(skew).isBefore(nbf)) {
            throw new InvalidCredentialsException("token is not valid yet");
        }
    }

    private static JWSVerifier verifier(JWSAlgorithm alg, JWK key) throws JOSEException {
        if (JWSAlgorithm.Family.RSA.contains(alg) && key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (JWSAlgorithm.Family.EC.contains(alg) && key instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        throw new InvalidCredentialsException("token algorithm does not match its key");
    }

    private Principal principal(JWTClaimsSet claims) throws ParseException {
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new InvalidCredentialsException("token has no expiry");
        }
        Date nbf = claims.getNotBeforeTime();
        checkTimes(exp.toInstant(), nbf == null ? null : nbf.toInstant());
        if (!issuer.equals(claims.getIssuer())) {
            throw new InvalidCredentialsException("token issuer is not accepted");
        }
        if (audience != null && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
            throw new InvalidCredentialsException("token audience is not accepted");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new InvalidCredentialsException("token has no subject");
        }
        List<String> roles = Optional.ofNullable(claims.getStringListClaim("roles")).orElse(List.of());
        String scope = Optional.ofNullable(claims.getStringClaim("scope")).orElse("");
        Set<String> scopes = new HashSet<>(List.of(scope.split(" ")));
        scopes.remove("");
        return new Principal(subject, Set.copyOf(roles), scopes, Principal.Kind.ACCESS_TOKEN, claims.getJWTID(),
                             exp.toInstant());
    }
}
