package ai.universal.edge.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.universal.edge.EdgeKongCli;
import ai.universal.edge.testing.Keys;

import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RenderTest {
    private static final RSAKey KEY_1 = Keys.rsa("key-2026-01");
    private static final RSAKey KEY_2 = Keys.rsa("key-2026-02");

    @Test
    void renderFillsOneJwtSecretPerJwksKey() throws Exception {
        String kongYml = Files.readString(Path.of("kong.yml"));
        String rendered = KongRenderer.render(kongYml, name -> null, Keys.jwks(KEY_1, KEY_2), "svc-auth");
        KongConfig config = DeclarativeValidator.load(rendered, name -> null);
        assertThat(config.jwtSecrets().size(), is(2));
        Entities.JwtSecret first = config.jwtSecrets().get(0);
        assertThat(first.key(), is("key-2026-01"));
        assertThat(first.algorithm(), is("RS256"));
        assertThat(first.consumerId(), is(config.consumerByRef("svc-auth").orElseThrow().id()));
        assertThat(PublicKeys.parse(first.rsaPublicKey(), "RS256"), is(KEY_1.toRSAPublicKey()));
        assertThat(config.jwtSecrets().get(1).key(), is("key-2026-02"));
        assertThat(rendered, containsString("url: http://127.0.0.1:8015"));
        assertThat(rendered, not(containsString("${")));
    }

    @Test
    void rotationReplacesSecretsSoRetiredKeysDisappear() throws Exception {
        String kongYml = Files.readString(Path.of("kong.yml"));
        String before = KongRenderer.render(kongYml, name -> null, Keys.jwks(KEY_1), "svc-auth");
        String during = KongRenderer.render(before, name -> null, Keys.jwks(KEY_1, KEY_2), "svc-auth");
        String after = KongRenderer.render(during, name -> null, Keys.jwks(KEY_2), "svc-auth");
        assertThat(keys(before), is(List.of("key-2026-01")));
        assertThat(keys(during), is(List.of("key-2026-01", "key-2026-02")));
        assertThat(keys(after), is(List.of("key-2026-02")));
    }

    @Test
    void renderSubstitutesEnvironment() throws Exception {
        String kongYml = Files.readString(Path.of("kong.yml"));
        String rendered = KongRenderer.render(kongYml, Map.of("AUTH_SERVICE_URL", "http://svc-auth:8015",
                                                              "EDGE_REDIS_HOST", "redis")::get, null, "svc-auth");
        assertThat(rendered, containsString("url: http://svc-auth:8015"));
        assertThat(rendered, containsString("host: redis"));
    }

    @Test
    void jwksWithoutKidIsRefused() {
        String jwks = Keys.jwks(KEY_1).replace("\"kid\":\"key-2026-01\",", "");
        ConfigException e = assertThrows(ConfigException.class, () -> KongRenderer.render(
                "_format_version: \"3.0\"\nconsumers:\n  - username: svc-auth\n", name -> null, jwks, "svc-auth"));
        assertThat(e.errors().getFirst().message(), containsString("without 'kid'"));
    }

    @Test
    void renderCommandReadsJwksFromUrlAndWritesFile(@TempDir Path dir) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] jwks = Keys.jwks(KEY_1, KEY_2).getBytes(StandardCharsets.UTF_8);
        server.createContext("/v1/auth/.well-known/jwks.json", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, jwks.length);
            ex.getResponseBody().write(jwks);
            ex.close();
        });
        server.start();
        try {
            Path out = dir.resolve("kong.rendered.yml");
            CommandLine cl = EdgeKongCli.commandLine(name -> null);
            cl.setErr(new PrintWriter(new StringWriter()));
            int code = cl.execute("render", "kong.yml", "--jwks", "http://127.0.0.1:" + server.getAddress().getPort()
                    + "/v1/auth/.well-known/jwks.json", "-o", out.toString());
            assertThat(code, is(0));
            assertThat(keys(Files.readString(out)), is(List.of("key-2026-01", "key-2026-02")));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void renderCommandReadsJwksFromFile(@TempDir Path dir) throws Exception {
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, Keys.jwks(KEY_2));
        StringWriter out = new StringWriter();
        CommandLine cl = EdgeKongCli.commandLine(name -> null);
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("render", "kong.yml", "--jwks", jwks.toString()), is(0));
        assertThat(keys(out.toString()), is(List.of("key-2026-02")));
    }

    private static List<String> keys(String rendered) throws ConfigException {
        return DeclarativeValidator.load(rendered, name -> null).jwtSecrets().stream().map(Entities.JwtSecret::key).toList();
    }
}
