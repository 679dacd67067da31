package ai.universal.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {
    private static final PasswordHasher SMALL = new PasswordHasher(new PasswordHasher.Params(1024, 2, 1));

    @Test
    void defaultParametersProduceOwaspPhcStrings() {
        PasswordHasher owasp = new PasswordHasher(PasswordHasher.Params.OWASP);
        String hash = owasp.hash("violet-Harbor-Engine-42");
        assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
        assertTrue(owasp.verify("violet-Harbor-Engine-42", hash));
        assertFalse(owasp.verify("violet-Harbor-Engine-43", hash));
    }

    @Test
    void saltsEveryHash() {
        assertNotEquals(SMALL.hash("same password here"), SMALL.hash("same password here"));
    }

    @Test
    void verifiesWithTheParametersStoredInTheHash() {
        String weak = SMALL.hash("violet-Harbor-Engine-42");
        PasswordHasher stronger = new PasswordHasher(new PasswordHasher.Params(2048, 3, 1));
        assertTrue(stronger.verify("violet-Harbor-Engine-42", weak));
        assertTrue(stronger.needsRehash(weak));
        assertFalse(stronger.needsRehash(stronger.hash("x")));
    }

    @Test
    void refusesMalformedOrForeignHashes() {
        assertFalse(SMALL.verify("pw", "$2a$10$abcdefghijklmnopqrstuv"));
        assertFalse(SMALL.verify("pw", "$argon2i$v=19$m=1024,t=2,p=1$c2FsdHNhbHQ$aGFzaA"));
        assertFalse(SMALL.verify("pw", "$argon2id$v=19$m=x,t=2,p=1$c2FsdHNhbHQ$aGFzaA"));
        assertFalse(SMALL.verify("pw", null));
    }
}
