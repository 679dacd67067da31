package ai.universal.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Encrypts private signing keys at rest: AES-256-GCM under a key derived from ENCRYPTION_KEY with HKDF-SHA256
 * (info {@code uat/svc-auth/signing-keys/v1}), a random 96-bit nonce per value, and the key id as associated data so a
 * ciphertext cannot be moved to another row. Stored form: {@code 0x01 | nonce(12) | ciphertext+tag(16)}.
 */
public final class KeyEncryption {
    /** The name stored beside each encrypted value. */
    public static final String SCHEME = "aes-256-gcm";
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final byte[] INFO = "uat/svc-auth/signing-keys/v1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SALT = "universal-ai-tools".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /** The stored value cannot be decrypted with this key (wrong ENCRYPTION_KEY, or tampered data). */
    public static final class WrongKeyException extends RuntimeException {
        WrongKeyException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Derive the key from the secret.
     *
     * @param secret ENCRYPTION_KEY (any string; a random 32-byte value is best)
     */
    public KeyEncryption(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("ENCRYPTION_KEY must be at least 16 characters (e.g. openssl rand -base64 32)");
        }
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(secret.getBytes(StandardCharsets.UTF_8), SALT, INFO));
        byte[] derived = new byte[32];
        hkdf.generateBytes(derived, 0, derived.length);
        this.key = new SecretKeySpec(derived, "AES");
    }

    /**
     * Encrypt.
     *
     * @param plain    plaintext
     * @param boundTo  associated data (the key id)
     * @return stored form
     */
    public byte[] encrypt(byte[] plain, String boundTo) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * Decrypt.
     *
     * @param stored  stored form
     * @param boundTo associated data it was encrypted with
     * @return plaintext
     * @throws WrongKeyException when the key does not fit
     */
    public byte[] decrypt(byte[] stored, String boundTo) {
        if (stored.length < 1 + NONCE_BYTES + 16 || stored[0] != VERSION) {
            throw new WrongKeyException("stored key has an unknown format");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, stored, 1, NONCE_BYTES));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("ENCRYPTION_KEY does not decrypt the stored signing keys");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }
}
