package ai.universal.hub;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import ai.universal.kit.RunningService;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Heartbeats on a live node (ping every 200 ms, idle timeout 1.5 s): a client that stops answering pings is closed
 * with 4009, one that answers them stays open. The client is a plain socket ({@link RawSocket}), since
 * java.net.http answers pings by itself.
 */
@ExtendWith(RealInfra.class)
class HeartbeatTest {
    private static final long IDLE_MILLIS = 1500;

    private static TestAuthServer auth;
    private static RunningService node;

    @BeforeAll
    static void start(TestInfra.Infra infra) {
        auth = TestAuthServer.start();
        node = HubNodes.start(HubNodes.environment(infra.environment(), auth, Map.of(
                "HUB_PING_INTERVAL", "200ms",
                "HUB_IDLE_TIMEOUT", IDLE_MILLIS + "ms")));
    }

    @AfterAll
    static void stop() {
        node.stop();
        auth.close();
    }

    @Test
    void connectionThatAnswersNoPingIsClosedWith4009() {
        try (RawSocket socket = RawSocket.connect(HubNodes.ws(node), auth.token("quiet", List.of("user"), "*"))) {
            RawSocket.Frame first = socket.next(HubClient.WAIT);
            assertNotNull(first);
            assertEquals(RawSocket.TEXT, first.opcode());
            assertTrue(first.text().contains("\"type\":\"connected\""), first.text());

            int pings = 0;
            RawSocket.Frame close = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (close == null && System.nanoTime() < deadline) {
                RawSocket.Frame f = socket.next(HubClient.WAIT);
                if (f == null) {
                    fail("socket cut without a close frame after " + pings + " pings");
                }
                if (f.opcode() == RawSocket.PING) {
                    pings++;
                } else if (f.opcode() == RawSocket.CLOSE) {
                    close = f;
                }
            }
            assertNotNull(close, "closed within the deadline");
            assertTrue(pings >= 1, "the server pinged before giving up");
            assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, close.closeCode());
            assertEquals("no frame or pong within " + IDLE_MILLIS + " ms", close.closeReason());
        }
    }

    @Test
    void answeringPingsKeepsConnectionOpenPastIdleTimeout() {
        try (RawSocket socket = RawSocket.connect(HubNodes.ws(node), auth.token("chatty", List.of("user"), "*"))) {
            long opened = System.nanoTime();
            int pings = 0;
            // Answer pings until twice the idle timeout has passed: the connection must still be open.
            while (System.nanoTime() - opened < Duration.ofMillis(2 * IDLE_MILLIS).toNanos()) {
                RawSocket.Frame f = socket.next(HubClient.WAIT);
                assertNotNull(f, "socket still open");
                assertTrue(f.opcode() != RawSocket.CLOSE, "closed although pongs were sent: " + f.closeCode());
                if (f.opcode() == RawSocket.PING) {
                    pings++;
                    socket.send(RawSocket.PONG, f.payload());
                }
            }
            assertTrue(pings >= 2, "pinged more than once: " + pings);
            // Then go silent: the 4009 close follows.
            RawSocket.Frame f;
            do {
                f = socket.next(HubClient.WAIT);
                assertNotNull(f, "close frame before the socket ends");
            } while (f.opcode() != RawSocket.CLOSE);
            assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, f.closeCode());
        }
    }
}
