package ai.universal.kit;

import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.webserver.WebServer;

/**
 * A started service: its port, its context, and a stop that drains the server before closing the pools.
 */
public final class RunningService implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(RunningService.class.getName());

    private final String name;
    private final WebServer server;
    private final ServiceContext context;
    private final AtomicBoolean stopped = new AtomicBoolean();

    RunningService(String name, WebServer server, ServiceContext context) {
        this.name = name;
        this.server = server;
        this.context = context;
    }

    /**
     * Service name.
     *
     * @return name
     */
    public String name() {
        return name;
    }

    /**
     * Bound port.
     *
     * @return port
     */
    public int port() {
        return server.port();
    }

    /**
     * Base URL on loopback.
     *
     * @return e.g. {@code http://127.0.0.1:8015}
     */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * The service's context.
     *
     * @return context
     */
    public ServiceContext context() {
        return context;
    }

    /**
     * Stop: no new connections, in-flight requests finish (within the grace period), then resources close.
     */
    public void stop() {
        if (stopped.compareAndSet(false, true)) {
            context.runBeforeStop();
            server.stop();
            context.closeAll();
            LOGGER.log(System.Logger.Level.INFO, name + " stopped");
        }
    }

    @Override
    public void close() {
        stop();
    }
}
