package ai.universal.edge.config;

import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * PEM public keys as Kong's jwt_secrets hold them ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo).
 */
public final class PublicKeys {
    private PublicKeys() {
    }

    /**
     * The JCA key family a JWS algorithm needs.
     *
     * @param algorithm JWS algorithm (RS256, ES256, PS256, EdDSA, ...)
     * @return key factory algorithm
     */
    public static String keyFamily(String algorithm) {
        if (algorithm.startsWith("RS") || algorithm.startsWith("PS")) {
            return "RSA";
        }
        if (algorithm.startsWith("ES")) {
            return "EC";
        }
        if (algorithm.equals("EdDSA")) {
            return "Ed25519";
        }
        throw new IllegalArgumentException("not an asymmetric algorithm: " + algorithm);
    }

    /**
     * Parse a PEM public key for an algorithm.
     *
     * @param pem       PEM text
     * @param algorithm JWS algorithm
     * @return the key
     * @throws IllegalArgumentException when the PEM is not a key of that family
     */
    public static PublicKey parse(String pem, String algorithm) {
        String body = pem.replace("-----BEGIN PUBLIC KEY-----", "")
                .replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
            throw new IllegalArgumentException("missing -----BEGIN PUBLIC KEY----- header");
        }
        try {
            byte[] der = Base64.getDecoder().decode(body);
            return KeyFactory.getInstance(keyFamily(algorithm)).generatePublic(new X509EncodedKeySpec(der));
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid key: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a PEM holds a public key usable with an algorithm.
     *
     * @param pem       PEM text
     * @param algorithm JWS algorithm
     * @return true when it parses
     */
    public static boolean isValidPem(String pem, String algorithm) {
        try {
            parse(pem, algorithm);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Encode a public key as PEM (64-character lines).
     *
     * @param key key
     * @return PEM text ending with a newline
     */
    public static String toPem(PublicKey key) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }
}
