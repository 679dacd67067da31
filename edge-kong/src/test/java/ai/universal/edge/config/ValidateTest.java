package ai.universal.edge.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import ai.universal.edge.EdgeKongCli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ValidateTest {
    private static final String GOOD = """
            _format_version: "3.0"
            services:
              - name: svc-a
                url: http://127.0.0.1:9001
                routes:
                  - name: a
                    paths: [/v1/a]
                    strip_path: false
                    plugins:
                      - name: rate-limiting
                        config: {minute: 10, hour: 100, limit_by: ip, policy: local}
            consumers:
              - username: anonymous
            plugins:
              - name: jwt
                service: svc-a
                config: {key_claim_name: kid, claims_to_verify: [exp], anonymous: anonymous}
            """;

    @Test
    void shippedKongYmlIsValidAndServableByTheLocalEdge() throws Exception {
        KongConfig config = DeclarativeValidator.load(Files.readString(Path.of("kong.yml")), name -> null);
        assertThat(config.edgeGaps(), is(empty()));
        assertThat(config.services().size(), is(7));
        List<String> paths = config.routes().stream().flatMap(r -> r.paths().stream()).toList();
        for (String prefix : List.of("/v1/auth/login", "/v1/auth/.well-known/jwks.json", "/v1/chat/completions", "/v1/models",
                                     "/v1/conversations", "/v1/analytics", "/v1/embeddings", "/v1/ml", "/v1/memories",
                                     "/v1/vectors", "/v1/vectors/qdrant", "/v1/vision", "/v1/hub", "/v1/hub/ws")) {
            assertThat(paths, hasItem(prefix));
        }
        assertThat(config.routes().stream().allMatch(r -> !r.stripPath()), is(true));
    }

    @Test
    void goodFileIsValid() throws Exception {
        KongConfig config = DeclarativeValidator.load(GOOD, name -> null);
        assertThat(config.routes().getFirst().serviceId(), is(config.services().getFirst().id()));
        assertThat(config.plugins().size(), is(2));
    }

    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                Arguments.of("missing format version", GOOD.replace("_format_version: \"3.0\"\n", ""),
                             "_format_version", "required field missing"),
                Arguments.of("service without host", GOOD.replace("url: http://127.0.0.1:9001", "port: 9001"),
                             "services[0].host", "required field missing"),
                Arguments.of("protocol not in enum", GOOD.replace("strip_path: false", "strip_path: false\n"
                        + "        protocols: [http, gopher]"), "services[0].routes[0].protocols[1]",
                             "expected one of:"),
                Arguments.of("path without slash", GOOD.replace("[/v1/a]", "[v1/a]"),
                             "services[0].routes[0].paths[0]", "should start with: / (fixed path) or ~/ (regex path)"),
                Arguments.of("path with empty segment", GOOD.replace("[/v1/a]", "[/v1//a]"),
                             "services[0].routes[0].paths[0]", "must not have empty segments"),
                Arguments.of("regex that does not compile", GOOD.replace("[/v1/a]", "[\"~/v1/(a\"]"),
                             "services[0].routes[0].paths[0]", "invalid regex"),
                Arguments.of("route with nothing to match", GOOD.replace("paths: [/v1/a]", "paths: []"),
                             "services[0].routes[0]", "must set one of 'methods', 'hosts', 'headers', 'paths'"),
                Arguments.of("policy not in enum", GOOD.replace("policy: local", "policy: memcached"),
                             "services[0].routes[0].plugins[0].config.policy", "expected one of: cluster, local, redis"),
                Arguments.of("limit_by not in enum", GOOD.replace("limit_by: ip", "limit_by: cookie"),
                             "services[0].routes[0].plugins[0].config.limit_by", "expected one of:"),
                Arguments.of("hour lower than minute", GOOD.replace("hour: 100", "hour: 5"),
                             "services[0].routes[0].plugins[0].config.hour",
                             "The limit for hour(5.0) cannot be lower than the limit for minute(10.0)"),
                Arguments.of("no window at all", GOOD.replace("minute: 10, hour: 100, ", ""),
                             "services[0].routes[0].plugins[0].config", "at least one of these fields must be non-empty"),
                Arguments.of("redis policy without host", GOOD.replace("policy: local", "policy: redis"),
                             "services[0].routes[0].plugins[0].config.redis.host", "required field missing"),
                Arguments.of("negative limit", GOOD.replace("minute: 10", "minute: -1"),
                             "services[0].routes[0].plugins[0].config.minute", "value must be greater than 0"),
                Arguments.of("duplicate route name", GOOD.replace("      - name: a\n",
                        "      - name: a\n        paths: [/x]\n      - name: a\n"),
                             "services[0].routes[1].name", "uniqueness violation"),
                Arguments.of("unresolved service reference", GOOD.replace("service: svc-a", "service: svc-b"),
                             "plugins[0].service", "invalid reference 'service: svc-b' (no such entry in 'services')"),
                Arguments.of("unresolved anonymous consumer", GOOD.replace("anonymous: anonymous", "anonymous: nobody"),
                             "plugins[0].config.anonymous", "invalid reference 'consumer: nobody'"),
                Arguments.of("unknown field", GOOD.replace("strip_path: false", "strip_path: false\n        stripe: 1"),
                             "services[0].routes[0].stripe", "unknown field"),
                Arguments.of("unknown plugin", GOOD.replace("- name: jwt", "- name: key-auth-enc"),
                             "plugins[0].name", "plugin 'key-auth-enc' not enabled"),
                Arguments.of("algorithm not in enum", GOOD + """
                        jwt_secrets:
                          - key: k1
                            consumer: anonymous
                            algorithm: RS999
                        """, "jwt_secrets[0].algorithm", "expected one of:"),
                Arguments.of("size unit not in enum", GOOD.replace("  - name: jwt",
                        "  - name: request-size-limiting\n    config: {allowed_payload_size: 1, size_unit: gigabytes}\n"
                        + "  - name: jwt"), "plugins[0].config.size_unit", "expected one of: bytes, kilobytes, megabytes"),
                Arguments.of("wrong type", GOOD.replace("strip_path: false", "strip_path: nope"),
                             "services[0].routes[0].strip_path", "expected a boolean"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void brokenFileIsRejectedWithPathAndMessage(String rule, String text, String path, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> DeclarativeValidator.load(text, name -> null));
        assertThat(rule + ": " + e.errors(), e.errors().stream().anyMatch(err -> err.path().equals(path)
                && err.message().contains(message)), is(true));
        assertThat(e.errors().stream().allMatch(err -> err.line() > 0), is(true));
    }

    @Test
    void everyErrorIsReportedNotOnlyTheFirst() {
        String text = GOOD.replace("[/v1/a]", "[v1/a]").replace("policy: local", "policy: nope");
        ConfigException e = assertThrows(ConfigException.class, () -> DeclarativeValidator.load(text, name -> null));
        assertThat(e.errors().stream().map(ConfigError::path).toList(),
                   hasItem("services[0].routes[0].paths[0]"));
        assertThat(e.errors().stream().map(ConfigError::path).toList(),
                   hasItem("services[0].routes[0].plugins[0].config.policy"));
    }

    @Test
    void validateCommandPrintsFileLinePathAndExitsNonZero(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kong.yml");
        Files.writeString(file, GOOD.replace("[/v1/a]", "[v1/a]"));
        StringWriter err = new StringWriter();
        CommandLine cl = EdgeKongCli.commandLine(name -> null);
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("validate", file.toString());
        assertThat(code, is(1));
        assertThat(err.toString(), containsString(file + ":7: services[0].routes[0].paths[0]: should start with: /"));
    }

    @Test
    void validateCommandAcceptsGoodFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kong.yml");
        Files.writeString(file, GOOD);
        StringWriter out = new StringWriter();
        CommandLine cl = EdgeKongCli.commandLine(name -> null);
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("validate", file.toString()), is(0));
        assertThat(out.toString(), containsString("valid (1 services, 1 routes, 2 plugins, 1 consumers, 0 jwt_secrets)"));
    }

    @Test
    void placeholdersTakeEnvironmentOrDefault() throws Exception {
        String text = GOOD.replace("http://127.0.0.1:9001", "${A_URL:-http://127.0.0.1:9001}");
        KongConfig withDefault = DeclarativeValidator.load(text, name -> null);
        assertThat(withDefault.services().getFirst().port(), is(9001));
        KongConfig fromEnv = DeclarativeValidator.load(text, Map.of("A_URL", "http://svc-a:7000/base")::get);
        assertThat(fromEnv.services().getFirst().host(), is("svc-a"));
        assertThat(fromEnv.services().getFirst().port(), is(7000));
        assertThat(fromEnv.services().getFirst().basePath(), is("/base"));
    }

    @Test
    void unsetVariableWithoutDefaultIsAnError() {
        String text = GOOD.replace("http://127.0.0.1:9001", "${A_URL}");
        ConfigException e = assertThrows(ConfigException.class, () -> DeclarativeValidator.load(text, name -> null));
        assertThat(e.errors().getFirst().message(), is("environment variable A_URL is not set and has no default"));
        assertThat(e.errors().getFirst().line(), is(4));
    }

    @Test
    void settingsTheEdgeDoesNotImplementAreNamed() throws Exception {
        String text = GOOD.replace("strip_path: false", "strip_path: false\n        headers: {x-version: [\"2\"]}");
        KongConfig config = DeclarativeValidator.load(text, name -> null);
        assertThat(config.edgeGaps().size(), is(1));
        assertThat(config.edgeGaps().getFirst().path(), is("services[0].routes[0].headers"));
    }

    @Test
    void syncRateIsMinusOneOrSecondsInTheEdge() throws Exception {
        String synced = GOOD.replace("policy: local}", "policy: local, sync_rate: 0.5}");
        assertThat(DeclarativeValidator.load(synced, name -> null).edgeGaps(), is(empty()));
        String between = GOOD.replace("policy: local}", "policy: local, sync_rate: -0.5}");
        KongConfig config = DeclarativeValidator.load(between, name -> null);
        assertThat(config.edgeGaps().size(), is(1));
        assertThat(config.edgeGaps().getFirst().path(), endsWith(".sync_rate"));
        String below = GOOD.replace("policy: local}", "policy: local, sync_rate: -2}");
        assertThrows(ConfigException.class, () -> DeclarativeValidator.load(below, name -> null));
    }
}
