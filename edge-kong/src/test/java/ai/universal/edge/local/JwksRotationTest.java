package ai.universal.edge.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import ai.universal.edge.testing.Backend;
import ai.universal.edge.testing.Http;
import ai.universal.edge.testing.Keys;

import com.nimbusds.jose.jwk.RSAKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class JwksRotationTest {
    @TempDir
    Path dir;

    @Test
    void keyAddedToTheJwksIsAcceptedAndRetiredKeyRefused() throws Exception {
        RSAKey oldKey = Keys.rsa("key-old");
        RSAKey newKey = Keys.rsa("key-new");
        try (Backend backend = new Backend()) {
            Path jwks = dir.resolve("jwks.json");
            Files.writeString(jwks, Keys.jwks(oldKey));
            Path file = dir.resolve("kong.yml");
            Files.writeString(file, """
                    _format_version: "3.0"
                    services:
                      - name: backend
                        url: http://127.0.0.1:%d
                        routes:
                          - name: r
                            paths: [/r]
                            plugins:
                              - name: jwt
                                config: {key_claim_name: kid, claims_to_verify: [exp]}
                    consumers:
                      - username: svc-auth
                    """.formatted(backend.port()));
            LocalEdge.Options options = LocalEdge.Options.of(file, 0, 0).withEnv(name -> null).withWatch(false)
                    .withJwks(jwks.toString()).withJwksRefresh(Duration.ofMillis(100));
            try (LocalEdge edge = LocalEdge.start(options)) {
                String url = "http://127.0.0.1:" + edge.port() + "/r";
                Map<String, String> oldToken = Map.of("Authorization", "Bearer "
                        + Keys.rs256(oldKey, Map.of("exp", Keys.in(600))));
                Map<String, String> newToken = Map.of("Authorization", "Bearer "
                        + Keys.rs256(newKey, Map.of("exp", Keys.in(600))));
                assertThat(Http.get(url, oldToken).statusCode(), is(200));
                assertThat(Http.get(url, newToken).statusCode(), is(401));

                Files.writeString(jwks, Keys.jwks(oldKey, newKey));
                Http.await("new key accepted", Duration.ofSeconds(10), () -> Http.get(url, newToken).statusCode() == 200);
                assertThat(Http.get(url, oldToken).statusCode(), is(200));

                Files.writeString(jwks, Keys.jwks(newKey));
                Http.await("retired key refused", Duration.ofSeconds(10), () -> Http.get(url, oldToken).statusCode() == 401);
                assertThat(Http.get(url, newToken).statusCode(), is(200));
            }
        }
    }
}
