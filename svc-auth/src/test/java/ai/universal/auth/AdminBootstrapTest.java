package ai.universal.auth;

import java.util.Map;

import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static ai.universal.auth.AuthClient.STRONG_PASSWORD;
import static ai.universal.auth.AuthClient.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ADMIN_EMAIL: exactly that address becomes admin — not the first account — at registration, or at start-up when it
 * registered before the setting was made.
 */
@ExtendWith(RealInfra.class)
class AdminBootstrapTest {

    @Test
    void configuredAdminEmailIsAdminAndTheFirstAccountIsNot(TestInfra.Infra infra) {
        try (AuthClient auth = AuthClient.start(infra, Map.of("ADMIN_EMAIL", " Boss@Example.org "))) {
            assertEquals("[\"user\"]", auth.post("/v1/auth/register", credentials("first@example.org", STRONG_PASSWORD))
                    .json().get("roles").toString());
            assertEquals("[\"user\",\"admin\"]", auth.post("/v1/auth/register", credentials("boss@example.org", STRONG_PASSWORD))
                    .json().get("roles").toString());
        }
    }

    @Test
    void anExistingAccountIsPromotedAtStartUp(TestInfra.Infra infra) {
        try (AuthClient auth = AuthClient.start(infra, Map.of())) {
            auth.register("early@example.org", "10.5.0.1");
            auth.register("late@example.org", "10.5.0.1");
            String before = auth.accessToken("late@example.org", "10.5.0.1");
            assertEquals(403, auth.get("/v1/auth/users", "Authorization", "Bearer " + before).status());
        }
        try (AuthClient auth = AuthClient.start(infra, Map.of("ADMIN_EMAIL", "late@example.org"))) {
            String token = auth.accessToken("late@example.org", "10.5.0.2");
            assertEquals(200, auth.get("/v1/auth/users", "Authorization", "Bearer " + token).status());
        }
    }
}
