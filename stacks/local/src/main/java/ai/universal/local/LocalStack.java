package ai.universal.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;

import ai.universal.edge.config.ConfigException;
import ai.universal.edge.local.LocalEdge;
import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.EmbeddedPostgresServer;
import ai.universal.kit.infra.EmbeddedRedisServer;

import io.helidon.logging.common.LogConfig;

/**
 * The whole platform in one process: every service module on the class path (found through
 * {@code META-INF/services/ai.universal.kit.ServiceApp}; UAT_SERVICES=auth,ml limits them), each on its own port,
 * sharing one PostgreSQL (a schema each)
 * and one Redis. With DATABASE_URL / REDIS_URL unset, embedded servers start on free loopback ports with their data
 * under the data directory (UAT_DATA_DIR, default {@code ./data}), so a restart keeps everything. Ctrl-C stops the
 * services (draining requests), then the embedded servers.
 */
public final class LocalStack implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(LocalStack.class.getName());

    /** Start order: svc-auth first (the others verify tokens against it), the rest by name. */
    private static final Comparator<ServiceApp> ORDER =
            Comparator.comparing((ServiceApp app) -> !app.key().equals("auth")).thenComparing(ServiceApp::name);

    private final List<RunningService> services = new ArrayList<>();
    private final List<AutoCloseable> infrastructure = new ArrayList<>();
    private final Map<String, String> environment = new HashMap<>();
    private LocalEdge edge;

    private LocalStack() {
    }

    /**
     * Run until Ctrl-C.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        long started = System.nanoTime();
        LocalStack stack = start(System::getenv);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-shutdown"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOGGER.log(System.Logger.Level.INFO, "Universal AI Tools is up in " + millis + " ms"
                + (stack.edge == null ? "" : " at http://127.0.0.1:" + stack.edge.port()) + ": "
                + String.join(", ", stack.services.stream().map(s -> s.name() + " " + s.baseUrl()).toList()));
        // every /health answers by now; one full collection tenures what start-up left live, so the first young
        // collections under traffic do not copy it between the survivor spaces (as the edge's serve command does)
        System.gc();
    }

    /**
     * Start the stack.
     *
     * @param env environment lookup
     * @return the running stack
     */
    public static LocalStack start(Function<String, String> env) {
        LocalStack stack = new LocalStack();
        try {
            stack.startAll(env);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Function<String, String> env) {
        Path dataDir = Path.of(value(env, "UAT_DATA_DIR", "data")).toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create data directory " + dataDir, e);
        }
        if (value(env, "DATABASE_URL", null) == null) {
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dataDir.resolve("postgres"), 0);
            infrastructure.add(pg);
            environment.put("DATABASE_URL", pg.url());
            LOGGER.log(System.Logger.Level.INFO, "Embedded PostgreSQL on 127.0.0.1:" + pg.port() + ", data in "
                    + dataDir.resolve("postgres"));
        }
        if (value(env, "REDIS_URL", null) == null) {
            EmbeddedRedisServer redis = EmbeddedRedisServer.start(dataDir.resolve("redis"), 0);
            infrastructure.add(redis);
            environment.put("REDIS_URL", redis.url());
            LOGGER.log(System.Logger.Level.INFO, "Embedded Redis on 127.0.0.1:" + redis.port());
        }
        if (value(env, "ENCRYPTION_KEY", null) == null) {
            environment.put("ENCRYPTION_KEY", localEncryptionKey(dataDir.resolve("secrets")));
        }
        environment.putIfAbsent("UAT_DATA_DIR", dataDir.toString());
        Function<String, String> stackEnv = name -> environment.containsKey(name) ? environment.get(name) : env.apply(name);

        Set<String> only = new HashSet<>(Arrays.asList(value(env, "UAT_SERVICES", "").trim().split("\\s*,\\s*")));
        List<ServiceApp> apps = ServiceLoader.load(ServiceApp.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(app -> only.equals(Set.of("")) || only.contains(app.key()) || only.contains(app.name()))
                .sorted(ORDER)
                .toList();
        for (ServiceApp app : apps) {
            RunningService running = ServiceRunner.start(app, stackEnv);
            services.add(running);
            environment.putIfAbsent(app.urlVariable(), running.baseUrl());
        }
        if (!"false".equalsIgnoreCase(value(env, "EDGE_ENABLED", "true"))) {
            startEdge(dataDir, stackEnv);
        }
    }

    /**
     * The local edge on 8080, serving edge-kong's kong.yml (the checkout's file when there is one, else the copy in
     * the jar) with this stack's service URLs and Redis, and jwt_secrets from svc-auth's JWKS.
     */
    private void startEdge(Path dataDir, Function<String, String> stackEnv) {
        String redisUrl = stackEnv.apply("REDIS_URL");
        URI redis = URI.create(redisUrl == null ? "redis://127.0.0.1:6379" : redisUrl);
        environment.putIfAbsent("EDGE_REDIS_HOST", redis.getHost());
        environment.putIfAbsent("EDGE_REDIS_PORT", Integer.toString(redis.getPort() < 0 ? 6379 : redis.getPort()));
        Path config = Path.of(value(stackEnv, "EDGE_CONFIG", "edge-kong/kong.yml"));
        try {
            if (!Files.exists(config)) {
                config = dataDir.resolve("edge").resolve("kong.yml");
                Files.createDirectories(config.getParent());
                try (InputStream in = LocalStack.class.getClassLoader().getResourceAsStream("kong.yml")) {
                    if (in == null) {
                        throw new IllegalStateException("No kong.yml: set EDGE_CONFIG to edge-kong/kong.yml");
                    }
                    Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            String authUrl = stackEnv.apply("AUTH_SERVICE_URL");
            String jwks = (authUrl == null ? "http://127.0.0.1:8015" : authUrl) + "/v1/auth/.well-known/jwks.json";
            LocalEdge.Options options = new LocalEdge.Options(config,
                                                              Integer.parseInt(value(stackEnv, "EDGE_PORT", "8080")),
                                                              Integer.parseInt(value(stackEnv, "EDGE_ADMIN_PORT", "8001")),
                                                              value(stackEnv, "BIND_HOST", "127.0.0.1"),
                                                              jwks, stackEnv, true, Duration.ofSeconds(30));
            edge = LocalEdge.start(options);
            LOGGER.log(System.Logger.Level.INFO, "Local edge on http://127.0.0.1:" + edge.port() + " (admin "
                    + edge.adminPort() + "), serving " + config);
        } catch (IOException e) {
            throw new UncheckedIOException("Local edge cannot read " + config, e);
        } catch (ConfigException e) {
            throw new IllegalStateException("Local edge refused " + config + ": " + e.getMessage(), e);
        }
    }

    /**
     * The local edge.
     *
     * @return edge, or null when EDGE_ENABLED=false
     */
    public LocalEdge edge() {
        return edge;
    }

    /**
     * A 256-bit key for encrypting signing keys at rest, made once and kept (mode 0600) under the data directory —
     * so even the zero-configuration stack never stores private keys in clear. Set ENCRYPTION_KEY to keep the key
     * elsewhere.
     */
    private static String localEncryptionKey(Path secrets) {
        Path file = secrets.resolve("encryption.key");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            Files.createDirectories(secrets);
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            String encoded = Base64.getEncoder().encodeToString(key);
            Files.writeString(file, encoded);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                LOGGER.log(System.Logger.Level.WARNING, "Cannot restrict permissions of " + file);
            }
            return encoded;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the local encryption key in " + file, e);
        }
    }

    private static String value(Function<String, String> env, String name, String defaultValue) {
        String v = env.apply(name);
        return v == null || v.isBlank() ? defaultValue : v;
    }

    /**
     * The running services, in start order.
     *
     * @return services
     */
    public List<RunningService> services() {
        return List.copyOf(services);
    }

    /**
     * A service by name.
     *
     * @param name e.g. {@code svc-auth}
     * @return the running service
     */
    public RunningService service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No service " + name));
    }

    @Override
    public void close() {
        if (edge != null) {
            edge.close();
            edge = null;
        }
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).stop();
        }
        services.clear();
        for (int i = infrastructure.size() - 1; i >= 0; i--) {
            try {
                infrastructure.get(i).close();
            } catch (Exception e) {
                LOGGER.log(System.Logger.Level.WARNING, "Stopping " + infrastructure.get(i) + " failed: " + e.getMessage());
            }
        }
        infrastructure.clear();
    }
}
