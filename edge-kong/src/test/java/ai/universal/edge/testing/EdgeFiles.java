package ai.universal.edge.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.universal.edge.config.ConfigException;
import ai.universal.edge.local.LocalEdge;

/**
 * Writing a kong.yml for a test and starting a local edge on free ports.
 */
public final class EdgeFiles {
    private EdgeFiles() {
    }

    /**
     * Write the config and start an edge (no file watch).
     *
     * @param dir  directory
     * @param yaml config
     * @return edge
     * @throws IOException     on I/O
     * @throws ConfigException when refused
     */
    public static LocalEdge start(Path dir, String yaml) throws IOException, ConfigException {
        Path file = dir.resolve("kong-" + System.nanoTime() + ".yml");
        Files.writeString(file, yaml);
        return LocalEdge.start(LocalEdge.Options.of(file, 0, 0).withEnv(name -> null).withWatch(false));
    }

    /**
     * A config that sends every request to one service.
     *
     * @param port the service's port on 127.0.0.1
     * @return kong.yml text
     */
    public static String allTo(int port) {
        return """
                _format_version: "3.0"
                services:
                  - name: backend
                    url: http://127.0.0.1:%d
                    routes:
                      - name: all
                        paths: [/]
                """.formatted(port);
    }

    /**
     * A port nothing listens on.
     *
     * @return port
     */
    public static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
