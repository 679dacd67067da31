package ai.universal.kit;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import ai.universal.kit.data.Database;
import ai.universal.kit.data.Redis;
import ai.universal.kit.http.BodyLimit;
import ai.universal.kit.http.ErrorMapping;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.KitFilter;
import ai.universal.kit.http.RouteTable;
import ai.universal.kit.observe.Health;
import ai.universal.kit.observe.RouteMetrics;
import ai.universal.kit.observe.Tracing;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.http.media.MediaContext;
import io.helidon.http.media.jackson.JacksonSupport;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.websocket.WsRouting;

/**
 * Starts a {@link ServiceApp}: settings → PostgreSQL (migrated) and Redis when needed → WebServer with the kit's
 * filter, the service's routes, /health, /metrics, the 404/405 fallback and the one error handler → one log line
 * with the port. {@link #main} adds a shutdown hook, so SIGTERM drains in-flight requests and then closes pools.
 */
public final class ServiceRunner {
    private static final System.Logger LOGGER = System.getLogger(ServiceRunner.class.getName());

    private ServiceRunner() {
    }

    /**
     * Run a service as its own process until SIGTERM / Ctrl-C.
     *
     * @param app service
     */
    public static void main(ServiceApp app) {
        LogConfig.configureRuntime();
        RunningService running = start(app, System::getenv);
        Runtime.getRuntime().addShutdownHook(new Thread(running::stop, app.name() + "-shutdown"));
    }

    /**
     * Start a service.
     *
     * @param app         service
     * @param environment environment lookup (the process environment, or the one-process stack's / a test's map)
     * @return the running service
     */
    public static RunningService start(ServiceApp app, Function<String, String> environment) {
        return start(app, environment, Clock.systemUTC());
    }

    /**
     * Start a service with a clock (tests move time).
     *
     * @param app         service
     * @param environment environment lookup
     * @param clock       clock
     * @return the running service
     */
    public static RunningService start(ServiceApp app, Function<String, String> environment, Clock clock) {
        long started = System.nanoTime();
        Settings settings = new Settings(loadConfig(), environment);
        String key = app.key();
        String envKey = key.toUpperCase().replace('-', '_');
        Health health = new Health();
        Tracing tracing = new Tracing(app.name(), settings.optional("OTEL_EXPORTER_OTLP_ENDPOINT", null).orElse(null));
        Database database = null;
        Redis redis = null;
        try {
            if (app.usesDatabase()) {
                database = Database.connect(settings.string("DATABASE_URL", "database.url",
                                                            "postgres://postgres@127.0.0.1:5432/postgres"),
                                            settings.string(envKey + "_DB_SCHEMA", key + ".db-schema", key.replace('-', '_')),
                                            key.replace('-', '_'),
                                            settings.integer("DB_POOL_SIZE", key + ".db-pool-size", 10));
                Database db = database;
                health.add("database", () -> db.ping() ? Health.Result.ok() : Health.Result.down("PostgreSQL unreachable"));
            }
            if (app.usesRedis()) {
                redis = Redis.connect(settings.string("REDIS_URL", "redis.url", "redis://127.0.0.1:6379"),
                                      settings.string("REDIS_KEY_PREFIX", null, "uat:" + key + ":"),
                                      settings.integer("REDIS_POOL_SIZE", key + ".redis-pool-size", 16));
                Redis r = redis;
                health.add("redis", () -> r.ping() ? Health.Result.ok() : Health.Result.down("Redis unreachable"));
            }
        } catch (RuntimeException e) {
            if (database != null) {
                database.close();
            }
            tracing.close();
            throw e;
        }
        ServiceContext ctx = new ServiceContext(app, settings, clock, health, tracing, database, redis);
        if (database != null) {
            ctx.onClose(database);
        }
        if (redis != null) {
            ctx.onClose(redis);
        }
        ctx.onClose(tracing);

        RouteTable routes = new RouteTable();
        ErrorMapping errors = new ErrorMapping(app.errorStyles(), routes);
        HttpRouting.Builder routing = HttpRouting.builder()
                .addFilter(new KitFilter(tracing, new RouteMetrics(app.name())));
        errors.install(routing);
        routing.get("/health", (req, res) -> health(res, health, app.name(), true))
                .get("/health/ready", (req, res) -> health(res, health, app.name(), true))
                .get("/health/live", (req, res) -> health(res, health, app.name(), false));
        try {
            app.setUp(ctx, routes.rules(routing));
        } catch (RuntimeException e) {
            ctx.closeAll();
            throw e;
        }
        routing.any(errors.fallback());
        // after setUp, which is where an app reads the limit from its settings; filters run in the order added
        BodyLimit bodyLimit = new BodyLimit(app.maxPayloadBytes());
        routing.addFilter(bodyLimit);
        WsRouting.Builder webSockets = WsRouting.builder();
        try {
            app.webSocket(ctx, webSockets);
        } catch (RuntimeException e) {
            ctx.closeAll();
            throw e;
        }

        int port = settings.integer(envKey + "_PORT", key + ".port", app.defaultPort());
        String host = settings.string("BIND_HOST", key + ".host", "127.0.0.1");
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .shutdownGracePeriod(settings.duration("SHUTDOWN_GRACE", null, Duration.ofSeconds(10)))
                .maxPayloadSize(bodyLimit.transportLimit())
                // small writes (SSE events, WebSocket frames, the headers before a stream) must not wait ~40 ms for
                // the peer's delayed ACK (Nagle); Helidon leaves TCP_NODELAY off
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                .mediaContext(MediaContext.builder().addMediaSupport(JacksonSupport.create(Json.MAPPER)).build())
                .directHandlers(errors.directHandlers())
                .addFeature(ObserveFeature.builder()
                                    .endpoint("/")
                                    .addObserver(MetricsObserver.create())
                                    .build())
                .addRouting(routing)
                .addRouting(webSockets)
                .build();
        try {
            server.start();
        } catch (RuntimeException e) {
            ctx.closeAll();
            throw e;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOGGER.log(System.Logger.Level.INFO, app.name() + " listening on http://" + host + ":" + server.port()
                + " (started in " + millis + " ms" + (tracing.exporting() ? ", exporting traces" : "") + ")");
        return new RunningService(app.name(), server, ctx);
    }

    private static void health(io.helidon.webserver.http.ServerResponse res, Health health, String name, boolean ready) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", name);
        if (!ready) {
            body.put("status", "UP");
            res.header(HeaderNames.CONTENT_TYPE, "application/json").send(Json.bytes(body));
            return;
        }
        Health.Report report = health.run();
        body.put("status", report.ready() ? "UP" : "DOWN");
        body.put("live", true);
        body.put("ready", report.ready());
        if (!report.ready()) {
            body.put("failing", report.failing());
        }
        body.put("checks", report.checks());
        res.status(report.ready() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(Json.bytes(body));
    }

    /**
     * Configuration: every {@code application.yaml} on the classpath merged (each service keeps its keys under its
     * own name, so in the one-process stack they sit side by side), overridden by system properties.
     *
     * @return config
     */
    public static Config loadConfig() {
        var builder = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource();
        builder.addSource(ConfigSources.systemProperties());
        for (var source : ConfigSources.classpathAll("application.yaml")) {
            builder.addSource(source.optional(true));
        }
        return builder.build();
    }

    /**
     * An environment made of a map in front of another environment (tests and the one-process stack).
     *
     * @param overrides values that win
     * @param fallback  the rest
     * @return lookup
     */
    public static Function<String, String> environment(Map<String, String> overrides, Function<String, String> fallback) {
        Map<String, String> copy = new HashMap<>(overrides);
        return name -> copy.containsKey(name) ? copy.get(name) : fallback.apply(name);
    }
}
