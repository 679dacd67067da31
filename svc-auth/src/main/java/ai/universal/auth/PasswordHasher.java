package ai.universal.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (BouncyCastle, pure Java) in the PHC string format
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (unpadded base64), with a 16-byte random salt and a 32-byte
 * hash. Verification reads the parameters from the stored string, so hashes made with older parameters still verify
 * and {@link #needsRehash} says when to upgrade them; the comparison is constant-time. {@link #verifyDummy} spends the
 * same work on a made-up hash, so "no such user" costs what "wrong password" costs.
 */
public final class PasswordHasher {
    /** OWASP's minimum memory for Argon2id, in KiB (19 MiB). */
    public static final int OWASP_MEMORY_KIB = 19456;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final Params params;
    private final SecureRandom random = new SecureRandom();
    private final String dummy;

    /**
     * Argon2id cost parameters.
     *
     * @param memoryKib   memory in KiB
     * @param iterations  passes (t)
     * @param parallelism lanes (p)
     */
    public record Params(int memoryKib, int iterations, int parallelism) {
        /** OWASP's recommended minimum: m=19456 KiB, t=2, p=1. */
        public static final Params OWASP = new Params(OWASP_MEMORY_KIB, 2, 1);

        /**
         * Validate.
         */
        public Params {
            if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
                throw new IllegalArgumentException("Argon2 parameters out of range: m=" + memoryKib + " t=" + iterations
                                                           + " p=" + parallelism);
            }
        }

        /**
         * Whether these parameters are at least OWASP's minimum.
         *
         * @return true when m ≥ 19456 KiB and t ≥ 2
         */
        public boolean meetsOwasp() {
            return memoryKib >= OWASP_MEMORY_KIB && iterations >= 2;
        }
    }

    /**
     * Create.
     *
     * @param params parameters for new hashes
     */
    public PasswordHasher(Params params) {
        this.params = params;
        byte[] junk = new byte[24];
        random.nextBytes(junk);
        this.dummy = hash(B64.encodeToString(junk));
    }

    /**
     * The parameters new hashes get.
     *
     * @return params
     */
    public Params params() {
        return params;
    }

    /**
     * Hash a password with a fresh salt.
     *
     * @param password password
     * @return PHC string
     */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, params, HASH_BYTES);
        return "$argon2id$v=19$m=" + params.memoryKib() + ",t=" + params.iterations() + ",p=" + params.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * Check a password against a stored hash.
     *
     * @param password password
     * @param encoded  PHC string
     * @return true when it matches
     */
    public boolean verify(String password, String encoded) {
        Parsed parsed = parse(encoded);
        if (parsed == null) {
            return false;
        }
        byte[] actual = derive(password, parsed.salt(), parsed.params(), parsed.hash().length);
        return MessageDigest.isEqual(actual, parsed.hash());
    }

    /**
     * Do the work of a verification against a hash no password matches (unknown accounts).
     *
     * @param password the password that was sent
     */
    public void verifyDummy(String password) {
        verify(password, dummy);
    }

    /**
     * Whether a stored hash was made with weaker parameters than the current ones.
     *
     * @param encoded PHC string
     * @return true to re-hash on the next successful login
     */
    public boolean needsRehash(String encoded) {
        Parsed parsed = parse(encoded);
        return parsed == null || parsed.params().memoryKib() < params.memoryKib()
                || parsed.params().iterations() < params.iterations()
                || parsed.params().parallelism() < params.parallelism();
    }

    private record Parsed(Params params, byte[] salt, byte[] hash) {
    }

    private static Parsed parse(String encoded) {
        if (encoded == null) {
            return null;
        }
        String[] parts = encoded.split("\\$");
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return null;
        }
        try {
            int m = 0;
            int t = 0;
            int p = 0;
            for (String kv : parts[3].split(",")) {
                String[] pair = kv.split("=", 2);
                int value = Integer.parseInt(pair[1]);
                switch (pair[0]) {
                case "m" -> m = value;
                case "t" -> t = value;
                case "p" -> p = value;
                default -> {
                    return null;
                }
                }
            }
            return new Parsed(new Params(m, t, p), B64D.decode(parts[4]), B64D.decode(parts[5]));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    private static byte[] derive(String password, byte[] salt, Params params, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(params.memoryKib())
                .withIterations(params.iterations())
                .withParallelism(params.parallelism())
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[length];
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        try {
            generator.generateBytes(pw, out);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
        return out;
    }
}
