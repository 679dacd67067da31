package ai.universal.kit.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import redis.embedded.RedisServer;

/**
 * A Redis server started from the binary inside the embedded-redis jar, bound to loopback. With a data directory
 * it keeps an append-only file there (fsync every second), so the one-process stack's rate limits and hub history
 * survive a restart.
 */
public final class EmbeddedRedisServer implements AutoCloseable {
    private final RedisServer server;
    private final int port;

    private EmbeddedRedisServer(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Start.
     *
     * @param dataDir directory for the append-only file, or null to keep nothing
     * @param port    port, or 0 for a free one
     * @return the server
     */
    public static EmbeddedRedisServer start(Path dataDir, int port) {
        int actual = port == 0 ? EmbeddedPostgresServer.freePort() : port;
        try {
            var builder = RedisServer.newRedisServer()
                    .port(actual)
                    .bind("127.0.0.1")
                    .setting("protected-mode yes")
                    .onShutdownForceStop(true);
            if (dataDir != null) {
                Files.createDirectories(dataDir);
                builder.setting("dir " + dataDir.toAbsolutePath())
                        .setting("appendonly yes")
                        .setting("appendfsync everysec");
            } else {
                builder.setting("save \"\"").setting("appendonly no");
            }
            RedisServer server = builder.build();
            server.start();
            return new EmbeddedRedisServer(server, actual);
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded Redis did not start: " + e.getMessage(), e);
        }
    }

    /**
     * Its port.
     *
     * @return port
     */
    public int port() {
        return port;
    }

    /**
     * REDIS_URL for it.
     *
     * @return URL
     */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
