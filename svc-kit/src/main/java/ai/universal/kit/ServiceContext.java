package ai.universal.kit;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

import ai.universal.kit.auth.ApiKeyIntrospection;
import ai.universal.kit.auth.Authenticator;
import ai.universal.kit.auth.JwtVerifier;
import ai.universal.kit.auth.RemoteJwks;
import ai.universal.kit.data.Database;
import ai.universal.kit.data.Redis;
import ai.universal.kit.http.Access;
import ai.universal.kit.observe.Health;
import ai.universal.kit.observe.Tracing;

/**
 * What the kit hands a service in {@link ServiceApp#setUp}: settings, PostgreSQL and Redis (when the service asked for
 * them), the access guard for routes, readiness checks, clients for other services, and a place to register what
 * must be closed at shutdown.
 */
public final class ServiceContext {
    /** Default base URL of svc-auth. */
    public static final String DEFAULT_AUTH_URL = "http://127.0.0.1:8015";
    /** Default token issuer. */
    public static final String DEFAULT_ISSUER = "universal-ai-tools";

    private final ServiceApp app;
    private final Settings settings;
    private final Clock clock;
    private final Health health;
    private final Tracing tracing;
    private final Database database;
    private final Redis redis;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final Deque<Runnable> beforeStop = new ArrayDeque<>();
    private volatile Authenticator authenticator;

    ServiceContext(ServiceApp app, Settings settings, Clock clock, Health health, Tracing tracing, Database database,
                   Redis redis) {
        this.app = app;
        this.settings = settings;
        this.clock = clock;
        this.health = health;
        this.tracing = tracing;
        this.database = database;
        this.redis = redis;
    }

    /**
     * Settings (environment, then config).
     *
     * @return settings
     */
    public Settings settings() {
        return settings;
    }

    /**
     * The clock every time-dependent decision uses.
     *
     * @return clock
     */
    public Clock clock() {
        return clock;
    }

    /**
     * The service's database.
     *
     * @return database
     * @throws IllegalStateException when the service did not declare {@link ServiceApp#usesDatabase()}
     */
    public Database database() {
        if (database == null) {
            throw new IllegalStateException(app.name() + " did not declare usesDatabase()");
        }
        return database;
    }

    /**
     * The service's Redis.
     *
     * @return redis
     * @throws IllegalStateException when the service did not declare {@link ServiceApp#usesRedis()}
     */
    public Redis redis() {
        if (redis == null) {
            throw new IllegalStateException(app.name() + " did not declare usesRedis()");
        }
        return redis;
    }

    /**
     * Readiness checks.
     *
     * @return health
     */
    public Health health() {
        return health;
    }

    /**
     * Tracing.
     *
     * @return tracing
     */
    public Tracing tracing() {
        return tracing;
    }

    /**
     * Replace how credentials are verified (svc-auth verifies against its own key store instead of over HTTP).
     * Call before {@link #access()}.
     *
     * @param authenticator authenticator
     */
    public void authenticator(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /**
     * The route guard, verifying tokens against svc-auth's JWKS and API keys through svc-auth's introspection.
     *
     * @return access
     */
    public Access access() {
        return new Access(authenticator());
    }

    /**
     * The authenticator in use.
     *
     * @return authenticator
     */
    public Authenticator authenticator() {
        Authenticator current = authenticator;
        if (current == null) {
            String authUrl = authServiceUrl();
            URI jwks = URI.create(settings.string("JWKS_URL", "auth.jwks-url", authUrl + "/v1/auth/.well-known/jwks.json"));
            RemoteJwks keys = new RemoteJwks(jwks,
                                             settings.duration("JWKS_TTL", "auth.jwks-ttl", Duration.ofMinutes(10)),
                                             settings.duration("JWKS_MIN_REFRESH_INTERVAL", "auth.jwks-min-refresh-interval",
                                                               Duration.ofSeconds(30)),
                                             clock);
            current = new Authenticator(jwtVerifier(keys), new ApiKeyIntrospection(
                    authUrl, settings.duration("API_KEY_CACHE_TTL", "auth.api-key-cache-ttl", Duration.ofSeconds(10)), clock));
            authenticator = current;
        }
        return current;
    }

    /**
     * A JWT verifier with the platform's settings (issuer, audience, algorithms, skew) over a key source.
     *
     * @param keys key source
     * @return verifier
     */
    public JwtVerifier jwtVerifier(ai.universal.kit.auth.JwksSource keys) {
        return new JwtVerifier(keys,
                               JwtVerifier.algorithms(settings.string("JWT_ALGORITHMS", "auth.jwt-algorithms", "RS256")),
                               settings.string("JWT_ISSUER", "auth.issuer", DEFAULT_ISSUER),
                               settings.optional("JWT_AUDIENCE", "auth.audience").orElse(null),
                               settings.duration("JWT_CLOCK_SKEW", "auth.clock-skew", Duration.ofSeconds(30)),
                               clock);
    }

    /**
     * svc-auth's base URL.
     *
     * @return AUTH_SERVICE_URL
     */
    public String authServiceUrl() {
        return settings.string("AUTH_SERVICE_URL", null, DEFAULT_AUTH_URL).replaceAll("/+$", "");
    }

    /**
     * A client for another platform service.
     *
     * @param baseUrlEnv environment variable holding its URL, e.g. {@code VECTOR_DB_URL}
     * @param defaultUrl its URL on one machine
     * @return client
     */
    public ServiceClient client(String baseUrlEnv, String defaultUrl) {
        return new ServiceClient(settings.string(baseUrlEnv, null, defaultUrl),
                                 settings.duration("SERVICE_CLIENT_TIMEOUT", null, Duration.ofSeconds(10)),
                                 settings.integer("SERVICE_CLIENT_RETRIES", null, 2),
                                 Duration.ofMillis(100));
    }

    /**
     * Close this at shutdown (last registered, first closed), after the server has drained.
     *
     * @param closeable resource
     */
    public void onClose(AutoCloseable closeable) {
        synchronized (closeables) {
            closeables.push(closeable);
        }
    }

    /**
     * Run this when the service is asked to stop, before the server stops accepting and drains (e.g. tell WebSocket
     * clients to reconnect to another node). Last registered, first run.
     *
     * @param action action
     */
    public void beforeStop(Runnable action) {
        synchronized (beforeStop) {
            beforeStop.push(action);
        }
    }

    void runBeforeStop() {
        while (true) {
            Runnable next;
            synchronized (beforeStop) {
                next = beforeStop.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                System.getLogger(ServiceContext.class.getName())
                        .log(System.Logger.Level.WARNING, "Before-stop action failed: " + e.getMessage());
            }
        }
    }

    void closeAll() {
        while (true) {
            AutoCloseable next;
            synchronized (closeables) {
                next = closeables.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.close();
            } catch (Exception e) {
                System.getLogger(ServiceContext.class.getName())
                        .log(System.Logger.Level.WARNING, "Closing " + next + " failed: " + e.getMessage());
            }
        }
    }
}
