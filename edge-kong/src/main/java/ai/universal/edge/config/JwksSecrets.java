package ai.universal.edge.config;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * Turns svc-auth's JWKS into Kong jwt_secrets: one per signing key, {@code key} = the key's {@code kid}, the
 * algorithm svc-auth signs with, and the public key as PEM. Kong OSS cannot read a JWKS, so this is how key rotation
 * reaches it: render again after svc-auth adds or retires a key.
 */
public final class JwksSecrets {
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21,
            0x00};

    private JwksSecrets() {
    }

    /**
     * Read a JWKS from a URL (http/https) or a file path.
     *
     * @param source URL or path
     * @return JWKS JSON text
     * @throws IOException when it cannot be read
     */
    public static String read(String source) throws IOException {
        if (source.startsWith("http://") || source.startsWith("https://")) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(source)).timeout(Duration.ofSeconds(10))
                    .header("Accept", "application/json").GET().build();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException("GET " + source + " answered " + response.statusCode());
                }
                return response.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + source, e);
            }
        }
        return Files.readString(Path.of(source));
    }

    /**
     * Convert JWKS JSON to jwt_secret entries (as maps, ready to be written into kong.yml).
     *
     * @param jwksJson JWKS JSON
     * @return jwt_secrets, in JWKS order
     * @throws IllegalArgumentException when the JWKS is malformed or a key has no kid
     */
    public static List<Map<String, Object>> toJwtSecrets(String jwksJson) {
        JWKSet set;
        try {
            set = JWKSet.parse(jwksJson);
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWKS: " + e.getMessage(), e);
        }
        List<Map<String, Object>> secrets = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            if (KeyUse.ENCRYPTION.equals(jwk.getKeyUse())) {
                continue;
            }
            if (jwk.getKeyID() == null || jwk.getKeyID().isBlank()) {
                throw new IllegalArgumentException("JWKS key without 'kid': Kong finds the jwt_secret by kid");
            }
            Map<String, Object> secret = new LinkedHashMap<>();
            secret.put("key", jwk.getKeyID());
            secret.put("algorithm", algorithm(jwk));
            secret.put("rsa_public_key", PublicKeys.toPem(publicKey(jwk)));
            secrets.add(secret);
        }
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("JWKS has no signing keys");
        }
        return secrets;
    }

    private static String algorithm(JWK jwk) {
        if (jwk.getAlgorithm() != null) {
            return jwk.getAlgorithm().getName();
        }
        if (jwk instanceof RSAKey) {
            return "RS256";
        }
        if (jwk instanceof ECKey ec) {
            Curve crv = ec.getCurve();
            if (Curve.P_384.equals(crv)) {
                return "ES384";
            }
            return Curve.P_521.equals(crv) ? "ES512" : "ES256";
        }
        if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            return "EdDSA";
        }
        throw new IllegalArgumentException("unsupported JWK key type " + jwk.getKeyType() + " (kid " + jwk.getKeyID() + ")");
    }

    private static PublicKey publicKey(JWK jwk) {
        try {
            if (jwk instanceof RSAKey rsa) {
                return rsa.toRSAPublicKey();
            }
            if (jwk instanceof ECKey ec) {
                return ec.toECPublicKey();
            }
            if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
                byte[] x = okp.getX().decode();
                byte[] spki = new byte[ED25519_SPKI_PREFIX.length + x.length];
                System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, x.length);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
        } catch (JOSEException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("invalid JWK " + jwk.getKeyID() + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("unsupported JWK key type " + jwk.getKeyType() + " (kid " + jwk.getKeyID() + ")");
    }
}
