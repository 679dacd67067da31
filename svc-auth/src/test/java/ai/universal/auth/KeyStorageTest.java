package ai.universal.auth;

import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import ai.universal.kit.data.Database;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Private signing keys at rest: clear without ENCRYPTION_KEY, encrypted (in place) once it is set, and a service
 * that cannot decrypt them refuses to start with a message that says what to do. Tokens survive restarts.
 */
@ExtendWith(RealInfra.class)
class KeyStorageTest {
    private static final String SECRET = "pP3v0cYx9nM2-encryption-key-for-tests";

    private record Row(String kid, byte[] privateKey, String encryption) {
    }

    private static List<Row> rows(TestInfra.Infra infra) throws SQLException {
        Database.JdbcTarget target = Database.JdbcTarget.parse(infra.databaseUrl());
        List<Row> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT kid, private_key, encryption FROM auth.signing_keys ORDER BY created_at")) {
            while (rs.next()) {
                rows.add(new Row(rs.getString(1), rs.getBytes(2), rs.getString(3)));
            }
        }
        return rows;
    }

    private static boolean isPkcs8(byte[] bytes) {
        try {
            KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(bytes));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void privateKeysAreEncryptedAtRestAndAWrongOrMissingKeyRefusesToStart(TestInfra.Infra infra) throws Exception {
        String token;
        try (AuthClient clear = AuthClient.start(infra, Map.of())) {
            clear.register("enc@example.org", "10.4.0.1");
            token = clear.accessToken("enc@example.org", "10.4.0.1");
        }
        Row before = rows(infra).getFirst();
        assertEquals("none", before.encryption());
        assertTrue(isPkcs8(before.privateKey()), "without ENCRYPTION_KEY the key is stored as clear PKCS#8");

        try (AuthClient encrypted = AuthClient.start(infra, Map.of("ENCRYPTION_KEY", SECRET))) {
            Row after = rows(infra).getFirst();
            assertEquals(before.kid(), after.kid());
            assertEquals("aes-256-gcm", after.encryption());
            assertFalse(isPkcs8(after.privateKey()));
            assertEquals(-1, indexOf(after.privateKey(), Arrays.copyOfRange(before.privateKey(), 40, 72)),
                         "no stretch of the clear key appears in the stored value");
            assertEquals(200, encrypted.get("/v1/auth/me", "Authorization", "Bearer " + token).status(),
                         "tokens signed before encryption still verify");
            String adminBearer = "Bearer " + encrypted.accessToken("enc@example.org", "10.4.0.2");
            assertEquals(200, encrypted.post("/v1/auth/keys/rotate", null, "Authorization", adminBearer).status());
            rows(infra).forEach(r -> assertEquals("aes-256-gcm", r.encryption(), r.kid()));
        }

        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> AuthClient.start(infra, Map.of()));
        assertEquals("The signing keys stored in PostgreSQL are encrypted, but ENCRYPTION_KEY is not set: start svc-auth "
                             + "with the ENCRYPTION_KEY they were encrypted with", missing.getMessage());
        IllegalStateException wrong = assertThrows(IllegalStateException.class,
                                                   () -> AuthClient.start(infra, Map.of("ENCRYPTION_KEY", SECRET + "-wrong")));
        assertEquals("ENCRYPTION_KEY does not decrypt the signing keys stored in PostgreSQL: start svc-auth with the "
                             + "ENCRYPTION_KEY they were encrypted with", wrong.getMessage());

        try (AuthClient again = AuthClient.start(infra, Map.of("ENCRYPTION_KEY", SECRET))) {
            assertDoesNotThrow(() -> again.accessToken("enc@example.org", "10.4.0.3"));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
