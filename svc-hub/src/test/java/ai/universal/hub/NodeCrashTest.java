package ai.universal.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import ai.universal.kit.RunningService;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A node that crashes (its process killed with SIGKILL: no shutdown hook, no close frames, no presence removal) is
 * cleaned up by the node that survives: once the dead node's heartbeat deadline passes ({@code HUB_NODE_TTL}, 1.5 s
 * here), its presence entries disappear cluster-wide and subscribers of the surviving node get the {@code leave}.
 * The crashing node runs as its own JVM (svc-hub's main class on the test class path) so it can really be killed.
 */
@ExtendWith(RealInfra.class)
class NodeCrashTest {
    private static TestAuthServer auth;
    private static Map<String, String> env;
    private static RunningService survivor;

    @BeforeAll
    static void start(TestInfra.Infra infra) {
        auth = TestAuthServer.start();
        env = HubNodes.environment(infra.environment(), auth, Map.of("HUB_NODE_TTL", "1500ms"));
        survivor = HubNodes.start(env);
    }

    @AfterAll
    static void stop() {
        survivor.stop();
        auth.close();
    }

    private static String user(String id) {
        return auth.token(id, List.of("user"), "*");
    }

    @Test
    void killedNodesPresenceIsReapedByTheOtherNode() throws Exception {
        String room = "room:crash-" + UUID.randomUUID().toString().substring(0, 8);
        int port = freePort();
        Process doomed = startProcess(port);
        try (HubClient watcher = HubClient.connect(HubNodes.ws(survivor), user("watcher"))) {
            String doomedWs = "ws://127.0.0.1:" + port + "/v1/hub/ws";
            HubNodes.awaitTrue(() -> healthy(port), "separate node ready");
            watcher.subscribe(room);
            HubClient ghost = HubClient.connect(doomedWs, user("ghost"));
            ghost.subscribe(room);
            JsonNode join = watcher.await(f -> "join".equals(f.path("type").asText())
                    && "ghost".equals(f.path("user").asText()));
            assertEquals(room, join.get("channel").asText());
            JsonNode before = presence(room);
            assertEquals(2, before.get("connections").asInt(), before.toString());

            doomed.destroyForcibly();
            assertFalse(doomed.waitFor(15, TimeUnit.SECONDS) && doomed.exitValue() == 0, "killed, not shut down");

            JsonNode leave = watcher.await(f -> "leave".equals(f.path("type").asText())
                    && "ghost".equals(f.path("user").asText()), Duration.ofSeconds(15));
            assertEquals(room, leave.get("channel").asText());
            JsonNode after = presence(room);
            assertEquals(1, after.get("connections").asInt(), after.toString());
            assertEquals(1, after.get("users").size());
            assertEquals("watcher", after.get("users").get(0).get("user").asText());
            ghost.close();
        } finally {
            doomed.destroyForcibly();
        }
    }

    private static JsonNode presence(String room) {
        HttpResponse<String> res = HubNodes.get(survivor, "/v1/hub/presence/" + room, user("watcher"));
        assertEquals(200, res.statusCode(), res.body());
        return HubNodes.json(res);
    }

    private static Process startProcess(int port) throws IOException {
        Map<String, String> childEnv = new HashMap<>(env);
        childEnv.put("HUB_PORT", Integer.toString(port));
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = Path.of("target", "node-crash-child.log"); // the killed node's output, for a failing run
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                               "-Xmx256m", "-cp", classPath, HubMain.class.getName());
        pb.environment().putAll(childEnv);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    private static boolean healthy(int port) {
        try {
            return HubNodes.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                              .timeout(Duration.ofSeconds(2)).build(),
                                      HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
