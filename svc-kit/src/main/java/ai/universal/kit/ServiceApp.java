package ai.universal.kit;

import java.util.Map;

import ai.universal.kit.http.ErrorStyle;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.websocket.WsRouting;

/**
 * A platform service as the kit runs it. The kit does the rest — config, the server, /health, /metrics, errors,
 * request ids, tracing, PostgreSQL and Redis when the service needs them — the same way for every service, whether it
 * runs alone ({@code java -jar}) or with the others in the one-process stack.
 */
public interface ServiceApp {

    /**
     * Service name, e.g. {@code svc-auth}.
     *
     * @return name
     */
    String name();

    /**
     * Short key: the config root in application.yaml, the prefix of its port variable ({@code AUTH_PORT}), its
     * PostgreSQL schema and Redis key prefix. E.g. {@code auth}.
     *
     * @return key
     */
    String key();

    /**
     * Port when none is configured.
     *
     * @return port
     */
    int defaultPort();

    /**
     * The environment variable other services (and the edge's kong.yml) read this service's base URL from.
     *
     * @return e.g. {@code AUTH_SERVICE_URL}
     */
    default String urlVariable() {
        return key().toUpperCase().replace('-', '_') + "_SERVICE_URL";
    }

    /**
     * Whether the service keeps data in PostgreSQL (migrations under {@code db/migration/<key>}).
     *
     * @return true to get {@link ServiceContext#database()}
     */
    default boolean usesDatabase() {
        return false;
    }

    /**
     * Whether the service uses Redis.
     *
     * @return true to get {@link ServiceContext#redis()}
     */
    default boolean usesRedis() {
        return false;
    }

    /**
     * Error body shapes for path prefixes served by compatible APIs (OpenAI, Qdrant); problem+json elsewhere.
     *
     * @return style per path prefix
     */
    default Map<String, ErrorStyle> errorStyles() {
        return Map.of();
    }

    /**
     * Largest request body accepted, in bytes (413 above it).
     *
     * @return bytes
     */
    default long maxPayloadBytes() {
        return 1024 * 1024;
    }

    /**
     * Build the domain and register every endpoint. Resources to release at shutdown go to
     * {@link ServiceContext#onClose(AutoCloseable)}; readiness checks to {@link ServiceContext#health()}.
     *
     * @param ctx   what the kit provides
     * @param rules where routes are registered
     */
    void setUp(ServiceContext ctx, HttpRules rules);

    /**
     * Register WebSocket endpoints (called after {@link #setUp}, so they can use what it built). The kit's HTTP filter
     * does not see WebSocket upgrades: an endpoint verifies credentials itself through
     * {@link ServiceContext#authenticator()}. Work to do before the server stops (telling clients to reconnect
     * elsewhere) goes to {@link ServiceContext#beforeStop(Runnable)}.
     *
     * @param ctx     what the kit provides
     * @param routing where WebSocket endpoints are registered
     */
    default void webSocket(ServiceContext ctx, WsRouting.Builder routing) {
    }
}
