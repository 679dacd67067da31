package ai.universal.edge.local;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import ai.universal.edge.EdgeKongCli;
import ai.universal.edge.testing.Backend;
import ai.universal.edge.testing.Http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

class HotReloadTest {
    private static final String CONFIG = """
            _format_version: "3.0"
            services:
              - name: backend
                url: http://127.0.0.1:%d
                routes:
                  - name: r
                    paths: [%s]
            """;
    @TempDir
    Path dir;
    private static Backend backend;

    @BeforeAll
    static void start() {
        backend = new Backend();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private String config(String path) {
        return CONFIG.formatted(backend.port(), path);
    }

    private void write(Path file, String text) throws Exception {
        Path tmp = dir.resolve("next.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void changedFileIsSwappedInAndInvalidOneIsRejected() throws Exception {
        Path file = dir.resolve("kong.yml");
        Files.writeString(file, config("/one"));
        try (LocalEdge edge = LocalEdge.start(LocalEdge.Options.of(file, 0, 0).withEnv(name -> null))) {
            String base = "http://127.0.0.1:" + edge.port();
            assertThat(Http.get(base + "/one").statusCode(), is(200));

            write(file, config("/two"));
            Http.await("new route served", Duration.ofSeconds(15), () -> Http.get(base + "/two").statusCode() == 200);
            assertThat(Http.get(base + "/one").statusCode(), is(404));

            write(file, config("two-without-slash"));
            Http.await("invalid config rejected", Duration.ofSeconds(15), () -> edge.metrics()
                    .counterValue("local_edge_config_reloads_total", List.of("result", "rejected")) >= 1);
            assertThat(Http.get(base + "/two").statusCode(), is(200));
        }
    }

    @Test
    void adminReloadAndPostConfigFollowKongsDbLessAnswers() throws Exception {
        Path file = dir.resolve("kong.yml");
        Files.writeString(file, config("/one"));
        try (LocalEdge edge = LocalEdge.start(LocalEdge.Options.of(file, 0, 0).withEnv(name -> null).withWatch(false))) {
            String admin = "http://127.0.0.1:" + edge.adminPort();
            String base = "http://127.0.0.1:" + edge.port();
            Files.writeString(file, config("/v1//x"));
            HttpResponse<String> refused = Http.send("POST", admin + "/reload", Map.of(), "");
            assertThat(refused.statusCode(), is(400));
            assertThat(refused.body(), containsString("\"name\":\"invalid declarative configuration\""));
            assertThat(refused.body(), containsString("{\"field\":\"paths[0]\",\"type\":\"field\","
                    + "\"message\":\"must not have empty segments\"}"));
            assertThat(Http.get(base + "/one").statusCode(), is(200));

            String body = new ObjectMapper().writeValueAsString(Map.of("config", config("/three")));
            HttpResponse<String> loaded = Http.send("POST", admin + "/config?check_hash=1", Map.of(), body);
            assertThat(loaded.statusCode(), is(201));
            assertThat(Http.get(base + "/three").statusCode(), is(200));
            assertThat(Http.send("POST", admin + "/config?check_hash=1", Map.of(), body).statusCode(), is(304));
            HttpResponse<String> status = Http.get(admin + "/status");
            assertThat(status.body(), containsString("\"configuration_hash\":\"" + edge.configurationHash() + "\""));
            assertThat(Http.get(admin + "/status/ready").body(), is("{\"message\":\"ready\"}"));

            Files.writeString(file, config("/four"));
            StringWriter out = new StringWriter();
            CommandLine cl = EdgeKongCli.commandLine(name -> null);
            cl.setOut(new PrintWriter(out));
            assertThat(cl.execute("push", file.toString(), "--admin-url", admin), is(0));
            assertThat(out.toString(), containsString("loaded"));
            assertThat(Http.get(base + "/four").statusCode(), is(200));
        }
    }
}
