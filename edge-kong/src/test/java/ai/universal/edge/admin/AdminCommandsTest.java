package ai.universal.edge.admin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.universal.edge.EdgeKongCli;
import ai.universal.edge.testing.FakeKongAdmin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

class AdminCommandsTest {
    private static final String CONFIG = """
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
                        config: {minute: 10, limit_by: ip, policy: local}
            """;

    @TempDir
    Path dir;
    private FakeKongAdmin kong;
    private Path file;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start() throws Exception {
        kong = new FakeKongAdmin();
        file = dir.resolve("kong.yml");
        Files.writeString(file, CONFIG);
    }

    @AfterEach
    void stop() {
        kong.close();
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = EdgeKongCli.commandLine(name -> null);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void pushLoadsTheConfigAndASecondPushIsNotModified() {
        assertThat(run("push", file.toString(), "--admin-url", kong.url()), is(0));
        assertThat(out.toString(), containsString("loaded: Kong at " + kong.url()));
        assertThat(run("push", file.toString(), "--admin-url", kong.url()), is(0));
        assertThat(out.toString(), containsString("unchanged: Kong at " + kong.url() + " already serves this config (304)"));
        assertThat(kong.requests(), contains("POST /config?check_hash=1&flatten_errors=1",
                                             "POST /config?check_hash=1&flatten_errors=1"));
    }

    @Test
    void pushWaitsForRetryAfterWhileKongIsLoading() {
        kong.busyFor(2);
        assertThat(run("push", file.toString(), "--admin-url", kong.url()), is(0));
        assertThat(out.toString(), containsString("loaded"));
        assertThat(kong.requests().size(), is(3));
    }

    @Test
    void pushGivesUpAfterItsAttempts() {
        kong.busyFor(5);
        assertThat(run("push", file.toString(), "--admin-url", kong.url(), "--attempts", "2"), is(2));
        assertThat(err.toString(), containsString("Kong is still loading a previous configuration (429) after 2 attempts"));
    }

    @Test
    void kongsFlattenedErrorsArePrintedReadably() {
        String body = "{\"code\":14,\"name\":\"invalid declarative configuration\",\"message\":\"declarative config is "
                + "invalid\",\"fields\":{},\"flattened_errors\":[{\"entity_type\":\"route\",\"entity_name\":\"a\","
                + "\"entity_tags\":[],\"errors\":[{\"field\":\"paths.1\",\"type\":\"field\",\"message\":\"must not have "
                + "empty segments\"},{\"type\":\"entity\",\"message\":\"must set one of 'methods', 'hosts'\"}]}]}";
        assertThat(KongAdminClient.readableErrors(body), contains("route 'a' paths.1: must not have empty segments",
                                                                  "route 'a': must set one of 'methods', 'hosts'"));
    }

    @Test
    void invalidConfigIsRefusedBeforeItReachesKong() throws Exception {
        Files.writeString(file, CONFIG.replace("[/v1/a]", "[/v1//a]"));
        assertThat(run("push", file.toString(), "--admin-url", kong.url()), is(1));
        assertThat(err.toString(), containsString("services[0].routes[0].paths[0]: must not have empty segments"));
        assertThat(kong.requests().isEmpty(), is(true));
    }

    @Test
    void statusShowsReadinessAndHash() {
        assertThat(run("status", "--admin-url", kong.url()), is(1));
        assertThat(out.toString(), containsString("ready: 503 no configuration available (empty configuration present)"));
        run("push", file.toString(), "--admin-url", kong.url());
        assertThat(run("status", "--admin-url", kong.url()), is(0));
        assertThat(out.toString(), containsString("ready: 200 ready"));
        assertThat(out.toString(), containsString("configuration_hash: " + kong.hash()));
    }

    @Test
    void diffShowsWhatAPushWouldChange() throws Exception {
        assertThat(run("diff", file.toString(), "--admin-url", kong.url()), is(1));
        assertThat(out.toString(), containsString("+ route 'a'"));
        assertThat(out.toString(), containsString("+ service 'svc-a'"));
        run("push", file.toString(), "--admin-url", kong.url());
        int code = run("diff", file.toString(), "--admin-url", kong.url());
        assertThat(out.toString() + err, code, is(0));
        assertThat(out.toString(), containsString("no differences"));
        Files.writeString(file, CONFIG.replace("minute: 10", "minute: 20").replace("[/v1/a]", "[/v1/a, /v1/b]"));
        assertThat(run("diff", file.toString(), "--admin-url", kong.url()), is(1));
        assertThat(out.toString(), containsString("~ plugin 'rate-limiting' on route 'a': config.minute 10.0 -> 20.0"));
        assertThat(out.toString(), containsString("~ route 'a': paths [/v1/a] -> [/v1/a, /v1/b]"));
        assertThat(out.toString(), not(containsString("service 'svc-a'")));
    }
}
