package ai.universal.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordPolicyTest {
    private static final PasswordPolicy POLICY = PasswordPolicy.builtIn();
    private static final String EMAIL = "marguerite@example.org";

    private static AuthFailure refusal(String password) {
        return assertThrows(AuthFailure.class, () -> POLICY.check(password, EMAIL));
    }

    @Test
    void shipsAFewHundredCommonPasswords() {
        assertTrue(POLICY.commonPasswordCount() >= 300, "list has " + POLICY.commonPasswordCount());
    }

    @Test
    void acceptsALongUnlistedPasswordAndAPassphrase() {
        assertDoesNotThrow(() -> POLICY.check("violet-Harbor-Engine-42", EMAIL));
        assertDoesNotThrow(() -> POLICY.check("tangerine ladder quietly orbits", EMAIL));
    }

    @Test
    void refusesShortPasswordsNamingTheRule() {
        AuthFailure e = refusal("Xk9#mQ2$vL4");
        assertEquals(AuthFailure.Reason.INVALID_FIELD, e.reason());
        assertEquals("password", e.field());
        assertEquals("too_short", e.rule());
        assertEquals("password must be at least 12 characters long (a passphrase of four or more words works well)",
                     e.getMessage());
    }

    @Test
    void refusesOverlongPasswords() {
        assertEquals("too_long", refusal("Vq7".repeat(86) + "z").rule());
    }

    @Test
    void refusesPasswordsContainingTheEmailLocalPart() {
        AuthFailure e = refusal("MARGUERITE-rocks-2025");
        assertEquals("contains_email", e.rule());
        assertEquals("password must not contain the part of your email address before the @", e.getMessage());
    }

    @Test
    void refusesCommonPasswordsAlsoWhenPaddedOrRepeated() {
        assertEquals("common", refusal("qwertyuiopasdfgh").rule());
        assertEquals("common", refusal("Password2024!!").rule());
        assertEquals("common", refusal("!!sunshine123456").rule());
        assertEquals("common", refusal("dragondragondragon").rule());
        assertEquals("common", refusal("Correct Horse Battery Staple").rule());
        assertEquals("password is on the list of commonly used passwords", refusal("iloveyou1234").getMessage());
    }

    @Test
    void refusesOneShortPatternRepeated() {
        assertEquals("repetitive", refusal("xyzxyzxyzxyz").rule());
        assertEquals("repetitive", refusal("zzzzzzzzzzzzzz").rule());
    }

    @Test
    void requiresAPassword() {
        assertEquals("required", refusal("").rule());
    }
}
