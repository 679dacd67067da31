package ai.universal.auth;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeyEncryptionTest {
    private static final byte[] PLAIN = "-----BEGIN PRIVATE KEY----- secret".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTripsAndHidesThePlaintext() {
        KeyEncryption enc = new KeyEncryption("correct-encryption-key-0123456789");
        byte[] sealed = enc.encrypt(PLAIN, "kid-1");
        assertEquals(1 + 12 + PLAIN.length + 16, sealed.length);
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("PRIVATE KEY"));
        assertArrayEquals(PLAIN, enc.decrypt(sealed, "kid-1"));
    }

    @Test
    void wrongKeyOrAnotherRowIsRefused() {
        byte[] sealed = new KeyEncryption("correct-encryption-key-0123456789").encrypt(PLAIN, "kid-1");
        assertThrows(KeyEncryption.WrongKeyException.class,
                     () -> new KeyEncryption("another-encryption-key-0123456789").decrypt(sealed, "kid-1"));
        assertThrows(KeyEncryption.WrongKeyException.class,
                     () -> new KeyEncryption("correct-encryption-key-0123456789").decrypt(sealed, "kid-2"));
    }

    @Test
    void refusesAShortSecret() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KeyEncryption("short"));
        assertEquals("ENCRYPTION_KEY must be at least 16 characters (e.g. openssl rand -base64 32)", e.getMessage());
    }
}
