package ai.universal.kit;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import ai.universal.kit.http.Json;
import ai.universal.kit.http.KitFilter;
import ai.universal.kit.http.RequestContext;
import ai.universal.kit.observe.Tracing;

import io.helidon.http.HeaderNames;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

/**
 * Calls another platform service over HTTP: connect and read timeouts, retries with backoff for idempotent methods
 * (on connection failures and 502/503/504 only), and the caller's request id, trace context and credentials passed on,
 * so the callee logs the same request id, continues the same trace and authorizes the same user.
 */
public final class ServiceClient {
    private static final Set<Method> IDEMPOTENT = Set.of(Method.GET, Method.HEAD, Method.PUT, Method.DELETE, Method.OPTIONS);
    private static final Set<Integer> RETRYABLE = Set.of(502, 503, 504);

    private final WebClient client;
    private final int retries;
    private final Duration backoff;

    /**
     * Create.
     *
     * @param baseUrl     base URL of the other service
     * @param timeout     connect and read timeout
     * @param retries     extra attempts for idempotent calls
     * @param backoff     first backoff (doubles each retry)
     */
    public ServiceClient(String baseUrl, Duration timeout, int retries, Duration backoff) {
        this.client = WebClient.builder()
                .baseUri(baseUrl)
                // no Nagle: a request's last small write must not wait for the callee's delayed ACK (Helidon's client
                // leaves TCP_NODELAY off; the servers and the edge have it on)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).readTimeout(timeout).tcpNoDelay(true).build())
                .readTimeout(timeout)
                .build();
        this.retries = retries;
        this.backoff = backoff;
    }

    /**
     * A response read whole.
     *
     * @param status status code
     * @param body   body bytes
     */
    public record Response(int status, byte[] body) {
        /**
         * Body as a type.
         *
         * @param type type
         * @param <T>  type
         * @return value
         */
        public <T> T json(Class<T> type) {
            try {
                return Json.MAPPER.readValue(body, type);
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * GET a path.
     *
     * @param path path and query
     * @return response
     */
    public Response get(String path) {
        return send(Method.GET, path, null);
    }

    /**
     * Send a request with an optional JSON body.
     *
     * @param method method
     * @param path   path and query
     * @param body   body object (serialized as JSON) or null
     * @return response
     */
    public Response send(Method method, String path, Object body) {
        int attempts = IDEMPOTENT.contains(method) ? retries + 1 : 1;
        Duration wait = backoff;
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                Response response = once(method, path, body);
                if (attempt < attempts && RETRYABLE.contains(response.status())) {
                    pause(wait);
                    wait = wait.multipliedBy(2);
                    continue;
                }
                return response;
            } catch (UncheckedIOException | IllegalStateException e) {
                last = e;
                if (attempt < attempts) {
                    pause(wait);
                    wait = wait.multipliedBy(2);
                }
            }
        }
        throw last;
    }

    private Response once(Method method, String path, Object body) {
        HttpClientRequest request = client.method(method).path(path);
        Map<String, String> headers = new HashMap<>();
        Tracing.inject(headers);
        RequestContext.current().ifPresent(ctx -> {
            headers.put(KitFilter.X_REQUEST_ID.defaultCase(), ctx.requestId());
            ctx.authorization().ifPresent(a -> headers.put(HeaderNames.AUTHORIZATION.defaultCase(), a));
            ctx.apiKeyHeader().ifPresent(k -> headers.put("api-key", k));
        });
        headers.forEach((name, value) -> request.header(HeaderNames.create(name), value));
        try (HttpClientResponse response = body == null
                ? request.request()
                : request.header(HeaderNames.CONTENT_TYPE, "application/json").submit(Json.bytes(body))) {
            return new Response(response.status().code(), response.entity().as(byte[].class));
        }
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
