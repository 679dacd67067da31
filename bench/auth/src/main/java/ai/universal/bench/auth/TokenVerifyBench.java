package ai.universal.bench.auth;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import ai.universal.kit.auth.JwtVerifier;
import ai.universal.kit.auth.Principal;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What verifying one svc-auth access token costs (RS256, 2048-bit key, the token svc-auth issues after a login):
 * <ul>
 *     <li>{@code kitVerifier}: svc-kit's {@link JwtVerifier} — what every service's auth filter runs — with the JWKS
 *     cached (a map lookup, as RemoteJwks/SigningKeys answer between refreshes): parse, algorithm allow-list, kid
 *     lookup, signature, exp/nbf/iss, principal;</li>
 *     <li>{@code nimbusRaw}: the peer — nimbus's own parse + {@link RSASSAVerifier} built once;</li>
 *     <li>{@code jdkSignatureOnly}: the floor — the JDK's SHA256withRSA over the signing input, nothing else.</li>
 * </ul>
 * Run with one thread: throughput per core.
 */
@State(Scope.Benchmark)
public class TokenVerifyBench {
    private String token;
    private JwtVerifier kit;
    private RSASSAVerifier nimbus;
    private RSAPublicKey publicKey;
    private byte[] signingInput;
    private byte[] signature;

    /**
     * Make a key, a token and the verifiers.
     *
     * @throws Exception never in practice
     */
    @Setup
    public void setUp() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench-key").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                .generate();
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT)
                                              .build(),
                                      new JWTClaimsSet.Builder()
                                              .issuer("universal-ai-tools")
                                              .subject(UUID.randomUUID().toString())
                                              .issueTime(Date.from(now))
                                              .expirationTime(Date.from(now.plus(Duration.ofDays(1))))
                                              .jwtID(UUID.randomUUID().toString())
                                              .claim("roles", List.of("user"))
                                              .claim("scope", "*")
                                              .build());
        jwt.sign(new RSASSASigner(key));
        token = jwt.serialize();
        JWK cached = key.toPublicJWK();
        kit = new JwtVerifier(kid -> kid.equals(cached.getKeyID()) ? Optional.of(cached) : Optional.empty(),
                              Set.of(JWSAlgorithm.RS256), "universal-ai-tools", null, Duration.ofSeconds(30), Clock.systemUTC());
        nimbus = new RSASSAVerifier(key.toPublicJWK());
        publicKey = key.toRSAPublicKey();
        String[] parts = token.split("\\.");
        signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        signature = Base64.getUrlDecoder().decode(parts[2]);
    }

    /**
     * svc-kit's verifier.
     *
     * @return principal
     */
    @Benchmark
    public Principal kitVerifier() {
        return kit.verify(token);
    }

    /**
     * nimbus directly.
     *
     * @return whether valid
     * @throws Exception never in practice
     */
    @Benchmark
    public boolean nimbusRaw() throws Exception {
        return SignedJWT.parse(token).verify(nimbus);
    }

    /**
     * The JDK signature check alone.
     *
     * @return whether valid
     * @throws Exception never in practice
     */
    @Benchmark
    public boolean jdkSignatureOnly() throws Exception {
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initVerify(publicKey);
        sig.update(signingInput);
        return sig.verify(signature);
    }
}
