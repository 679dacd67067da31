package ai.universal.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EmailAddressTest {

    @Test
    void trimsAndLowerCases() {
        assertEquals("ann.lee+work@example.org", EmailAddress.normalize("  Ann.Lee+Work@Example.ORG "));
    }

    @Test
    void refusesMalformedAddressesOnTheEmailField() {
        for (String bad : new String[] {"", "ann", "ann@", "@example.org", "ann@example", "a b@example.org", "ann@@example.org",
                "ann@exa_mple.org", ".ann@example.org", "ann..lee@example.org", "ann@-example.org"}) {
            AuthFailure e = assertThrows(AuthFailure.class, () -> EmailAddress.normalize(bad), bad);
            assertEquals("email", e.field(), bad);
        }
    }

    @Test
    void refusesAddressesLongerThan254() {
        String local = "a".repeat(64);
        String domain = ("b".repeat(60) + ".").repeat(4) + "org";
        AuthFailure e = assertThrows(AuthFailure.class, () -> EmailAddress.normalize(local + "@" + domain));
        assertEquals("email must be at most 254 characters", e.getMessage());
    }
}
