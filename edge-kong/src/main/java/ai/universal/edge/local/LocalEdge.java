package ai.universal.edge.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import ai.universal.edge.config.ConfigError;
import ai.universal.edge.config.ConfigException;
import ai.universal.edge.config.DeclarativeValidator;
import ai.universal.edge.config.JwksSecrets;
import ai.universal.edge.config.KongConfig;
import ai.universal.edge.config.KongRenderer;
import ai.universal.edge.plugins.EdgeMetrics;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.websocket.WsRouting;

/**
 * The local edge: a Kong-compatible reverse proxy for one machine that serves kong.yml.
 *
 * <pre>
 * LocalEdge edge = LocalEdge.start(LocalEdge.Options.of(Path.of("edge-kong/kong.yml"), 8080, 8001));
 * edge.port(); edge.adminPort(); edge.reload(); edge.close();
 * </pre>
 *
 * Proxy port: every route of the file (see {@link ProxyHandler}), WebSocket upgrades included.
 * Admin port (never public): {@code GET /metrics}, {@code GET /status}, {@code GET /status/ready}, {@code GET /config},
 * {@code POST /config} (Kong's DB-less semantics, check_hash), {@code POST /reload} (read the file again).
 * A changed file is reloaded by itself when {@code watch} is on; with a JWKS source the keys are fetched again every
 * {@code jwksRefresh}, so a key svc-auth adds is accepted without a reload (unchanged keys change nothing).
 * A config that is invalid or uses something the edge does
 * not implement is refused (at start: no start; at reload: the old config keeps serving).
 */
public final class LocalEdge implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(LocalEdge.class.getName());

    private final Options options;
    private final EdgeResources resources = new EdgeResources();
    private final AtomicReference<EdgeRuntime> runtime = new AtomicReference<>();
    private final ReentrantLock reloadLock = new ReentrantLock();
    private WebServer server;
    private ProxyListener listener;
    private ConfigWatcher watcher;
    private ScheduledExecutorService jwksRefresher;

    /**
     * How to run the edge.
     *
     * @param config    kong.yml (source with placeholders, or rendered)
     * @param port      proxy port (0 = any free port)
     * @param adminPort admin port (0 = any free port)
     * @param host      address to bind the proxy port (the admin port always binds 127.0.0.1)
     * @param jwks      svc-auth's JWKS (URL or file) to fill jwt_secrets from at every load, or null
     * @param env       environment for placeholders
     * @param watch     reload when the file changes
     * @param jwksRefresh how often to fetch the JWKS again (so a key svc-auth adds is accepted without a reload);
     *                  zero for never
     */
    public record Options(Path config, int port, int adminPort, String host, String jwks, Function<String, String> env,
                          boolean watch, Duration jwksRefresh) {
        /**
         * Defaults: bind all addresses, no JWKS, process environment, watch the file.
         *
         * @param config    kong.yml
         * @param port      proxy port
         * @param adminPort admin port
         * @return options
         */
        public static Options of(Path config, int port, int adminPort) {
            return new Options(config, port, adminPort, "0.0.0.0", null, System::getenv, true, Duration.ofSeconds(30));
        }

        /**
         * Same options with a JWKS source.
         *
         * @param jwksSource URL or file
         * @return options
         */
        public Options withJwks(String jwksSource) {
            return new Options(config, port, adminPort, host, jwksSource, env, watch, jwksRefresh);
        }

        /**
         * Same options with another environment.
         *
         * @param environment lookup
         * @return options
         */
        public Options withEnv(Function<String, String> environment) {
            return new Options(config, port, adminPort, host, jwks, environment, watch, jwksRefresh);
        }

        /**
         * Same options with file watching on or off.
         *
         * @param on watch
         * @return options
         */
        public Options withWatch(boolean on) {
            return new Options(config, port, adminPort, host, jwks, env, on, jwksRefresh);
        }

        /**
         * Same options with another JWKS refresh interval.
         *
         * @param every interval, zero for never
         * @return options
         */
        public Options withJwksRefresh(Duration every) {
            return new Options(config, port, adminPort, host, jwks, env, watch, every);
        }
    }

    /**
     * Outcome of a reload.
     *
     * @param applied whether the new config is now served
     * @param hash    hash of the config now served
     * @param errors  why it was refused
     */
    public record ReloadResult(boolean applied, String hash, List<ConfigError> errors) {
    }

    private final boolean ownListener;

    private LocalEdge(Options options, boolean ownListener) {
        this.options = options;
        this.ownListener = ownListener;
    }

    /**
     * Load the config and start both ports.
     *
     * @param options options
     * @return running edge
     * @throws ConfigException when the config is invalid or uses what the edge does not implement
     * @throws IOException     when the file cannot be read
     */
    public static LocalEdge start(Options options) throws ConfigException, IOException {
        return start(options, !"helidon".equals(System.getProperty("edge.listener")));
    }

    /**
     * Start with the proxy port served by the edge's own listener, or by Helidon's alone.
     *
     * @param options     options
     * @param ownListener whether {@link ProxyListener} serves the proxy port
     * @return running edge
     * @throws ConfigException when the config is invalid or uses what the edge does not implement
     * @throws IOException     when the file cannot be read or a port not bound
     */
    static LocalEdge start(Options options, boolean ownListener) throws ConfigException, IOException {
        LocalEdge edge = new LocalEdge(options, ownListener);
        try {
            edge.runtime.set(edge.load(Files.readString(options.config(), StandardCharsets.UTF_8)));
            edge.startServer();
        } catch (ConfigException | IOException | RuntimeException e) {
            edge.resources.close();
            throw e;
        }
        return edge;
    }

    /**
     * Start with defaults for a file and ports.
     *
     * @param config    kong.yml
     * @param port      proxy port
     * @param adminPort admin port
     * @return running edge
     * @throws ConfigException when the config is refused
     * @throws IOException     when the file cannot be read
     */
    public static LocalEdge start(Path config, int port, int adminPort) throws ConfigException, IOException {
        return start(Options.of(config, port, adminPort));
    }

    private void startServer() throws IOException {
        ProxyHandler proxy = new ProxyHandler(runtime::get, resources, this::port);
        WebSocketProxy ws = new WebSocketProxy(runtime::get, resources, this::port);
        AdminService admin = new AdminService(this);
        // the proxy port is served by the edge's own listener (ProxyListener: a platform thread per connection);
        // Helidon's listener then takes, on 127.0.0.1 only and behind the PROXY protocol, what that one hands over
        // (upgrades, chunked bodies, anything unusual). -Dedge.listener=helidon serves the port with Helidon alone.
        server = WebServer.builder()
                .host(ownListener ? "127.0.0.1" : options.host())
                .port(ownListener ? 0 : options.port())
                .enableProxyProtocol(ownListener)
                .maxPayloadSize(-1)
                // streamed answers (SSE) must not wait for the client's delayed ACK between small writes
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                // Host and response headers are checked by the edge itself (HttpSyntax), more cheaply; Helidon
                // marks the Host switch for removal in a later major version, when this falls back to its check
                .addProtocol(Http1Config.builder()
                                     .validateRequestHostHeader(false)
                                     .validateResponseHeaders(false)
                                     .build())
                .routing(HttpRouting.builder()
                                 .addFilter((chain, req, res) -> {
                                     if (ProxyHandler.hostAccepted(ProxyIo.of(req), ProxyIo.of(res))) {
                                         ws.filter(chain, req, res);
                                     }
                                 })
                                 .any(proxy))
                .addRouting(WsRouting.builder().endpoint("/*", ws::listener))
                .putSocket("admin", socket -> socket.host("127.0.0.1")
                        .port(options.adminPort())
                        .routing(HttpRouting.builder().register("/", admin)))
                .build()
                .start();
        if (ownListener) {
            try {
                listener = new ProxyListener(options.host(), options.port(), server.port(), (req, res) -> {
                    if (ProxyHandler.hostAccepted(req, res)) {
                        proxy.handle(req, res);
                    }
                }, ProxyListener.MAX_PLATFORM_CONNECTIONS, ProxyListener.IDLE_TIMEOUT_NANOS);
            } catch (IOException e) {
                server.stop();
                throw e;
            }
        }
        if (options.watch()) {
            watcher = new ConfigWatcher(options.config(), this::reload);
        }
        if (options.jwks() != null && options.jwksRefresh() != null && !options.jwksRefresh().isZero()) {
            jwksRefresher = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("jwks-refresh").factory());
            long every = options.jwksRefresh().toMillis();
            jwksRefresher.scheduleWithFixedDelay(this::refreshJwks, every, every, TimeUnit.MILLISECONDS);
        }
        LOGGER.log(System.Logger.Level.INFO, "local edge serving " + options.config() + " on port " + port()
                + " (admin 127.0.0.1:" + adminPort() + ", config " + runtime.get().hash() + ")");
    }

    /**
     * Proxy port.
     *
     * @return port
     */
    public int port() {
        return listener != null ? listener.port() : server.port();
    }

    /**
     * Admin port.
     *
     * @return port
     */
    public int adminPort() {
        return server.port("admin");
    }

    /**
     * Hash of the config being served.
     *
     * @return md5 hex
     */
    public String configurationHash() {
        return runtime.get().hash();
    }

    /**
     * The config being served.
     *
     * @return config
     */
    public KongConfig config() {
        return runtime.get().config();
    }

    /**
     * The edge's metrics.
     *
     * @return metrics
     */
    public EdgeMetrics metrics() {
        return resources.metrics();
    }

    /**
     * Read the file again and swap it in if valid; otherwise keep serving the old config.
     *
     * @return outcome
     */
    public ReloadResult reload() {
        try {
            return apply(Files.readString(options.config(), StandardCharsets.UTF_8), false);
        } catch (IOException e) {
            return rejected(List.of(new ConfigError("", 0, "cannot read " + options.config() + ": " + e.getMessage())));
        }
    }

    /**
     * Load a config given as text (admin {@code POST /config}); with {@code checkHash} an identical config is not
     * reloaded.
     *
     * @param text      config text
     * @param checkHash skip when the hash is unchanged
     * @return outcome; {@code applied} false with no errors means unchanged
     */
    public ReloadResult apply(String text, boolean checkHash) {
        reloadLock.lock();
        try {
            EdgeRuntime next = load(text);
            if (checkHash && Objects.equals(next.hash(), runtime.get().hash())) {
                return new ReloadResult(false, next.hash(), List.of());
            }
            runtime.set(next);
            resources.metrics().count("local_edge_config_reloads_total", "Config loads by outcome",
                                      List.of("result", "applied"), 1);
            LOGGER.log(System.Logger.Level.INFO, "local edge config reloaded (" + next.hash() + ")");
            return new ReloadResult(true, next.hash(), List.of());
        } catch (ConfigException e) {
            return rejected(e.errors());
        } finally {
            reloadLock.unlock();
        }
    }

    private void refreshJwks() {
        try {
            apply(Files.readString(options.config(), StandardCharsets.UTF_8), true);
        } catch (IOException | RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "JWKS refresh failed: " + e.getMessage());
        }
    }

    /**
     * Whether a reload is running now (admin answers 429 then).
     *
     * @return true while loading
     */
    boolean reloading() {
        return reloadLock.isLocked();
    }

    private ReloadResult rejected(List<ConfigError> errors) {
        resources.metrics().count("local_edge_config_reloads_total", "Config loads by outcome",
                                  List.of("result", "rejected"), 1);
        LOGGER.log(System.Logger.Level.WARNING, "local edge config rejected, still serving " + runtime.get().hash() + ": "
                + errors.stream().map(ConfigError::describe).toList());
        return new ReloadResult(false, runtime.get().hash(), errors);
    }

    private EdgeRuntime load(String text) throws ConfigException {
        String effective = text;
        if (options.jwks() != null) {
            try {
                effective = KongRenderer.render(text, options.env(), JwksSecrets.read(options.jwks()),
                                                KongRenderer.DEFAULT_ISSUER_CONSUMER);
            } catch (IOException e) {
                throw new ConfigException(List.of(new ConfigError("", 0, "cannot read JWKS from " + options.jwks() + ": "
                        + e.getMessage())));
            }
        }
        KongConfig config = DeclarativeValidator.load(effective, options.env());
        return EdgeRuntime.compile(config, resources);
    }

    /**
     * Stop both ports and release connections.
     */
    public void stop() {
        if (watcher != null) {
            watcher.close();
        }
        if (jwksRefresher != null) {
            jwksRefresher.shutdownNow();
        }
        if (listener != null) {
            listener.close();
        }
        if (server != null) {
            server.stop();
        }
        resources.close();
    }

    @Override
    public void close() {
        stop();
    }
}
