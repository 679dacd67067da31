package ai.universal.edge.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signing keys and tokens as svc-auth makes them (RS256 with a kid), plus ES256 and EdDSA for the other algorithms.
 */
public final class Keys {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Keys() {
    }

    /**
     * A fresh RSA key with a kid.
     *
     * @param kid key id
     * @return key
     */
    public static RSAKey rsa(String kid) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair pair = g.generateKeyPair();
            return new RSAKey.Builder((java.security.interfaces.RSAPublicKey) pair.getPublic())
                    .privateKey(pair.getPrivate()).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * JWKS JSON (public parts) of keys.
     *
     * @param keys keys
     * @return JWKS
     */
    public static String jwks(RSAKey... keys) {
        return new JWKSet(java.util.Arrays.stream(keys).map(k -> (com.nimbusds.jose.jwk.JWK) k).toList())
                .toPublicJWKSet().toString();
    }

    /**
     * An RS256 token with kid in the header.
     *
     * @param key    signing key
     * @param claims extra claims (exp in epoch seconds, ...)
     * @return compact JWS
     */
    public static String rs256(RSAKey key, Map<String, Object> claims) {
        try {
            JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
            claims.forEach(b::claim);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), b.build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A fresh EC P-256 key pair.
     *
     * @return pair
     */
    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An ES256 token.
     *
     * @param pair   key
     * @param kid    kid header
     * @param claims claims
     * @return compact JWS
     */
    public static String es256(KeyPair pair, String kid, Map<String, Object> claims) {
        try {
            JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
            claims.forEach(b::claim);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), b.build());
            jwt.sign(new ECDSASigner((java.security.interfaces.ECPrivateKey) pair.getPrivate()));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A fresh Ed25519 key pair.
     *
     * @return pair
     */
    public static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An EdDSA token signed with the JDK.
     *
     * @param pair   key
     * @param kid    kid header
     * @param claims claims
     * @return compact JWS
     */
    public static String eddsa(KeyPair pair, String kid, Map<String, Object> claims) {
        return sign(Map.of("alg", "EdDSA", "typ", "JWT", "kid", kid), claims, "Ed25519", pair);
    }

    /**
     * A token with any header, signed with a JCA algorithm.
     *
     * @param header  header
     * @param claims  claims
     * @param jcaAlg  JCA signature algorithm
     * @param pair    key
     * @return compact JWS
     */
    public static String sign(Map<String, Object> header, Map<String, Object> claims, String jcaAlg, KeyPair pair) {
        try {
            String input = b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(claims));
            Signature s = Signature.getInstance(jcaAlg);
            s.initSign(pair.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * base64url without padding.
     *
     * @param bytes bytes
     * @return text
     */
    public static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Epoch seconds from now.
     *
     * @param seconds offset
     * @return epoch seconds
     */
    public static long in(long seconds) {
        return System.currentTimeMillis() / 1000 + seconds;
    }
}
