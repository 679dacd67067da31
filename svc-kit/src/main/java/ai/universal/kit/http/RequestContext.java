package ai.universal.kit.http;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import ai.universal.kit.auth.Principal;

import io.helidon.webserver.http.ServerRequest;

/**
 * What the kit knows about the request being served: its id, the caller's credentials as sent, the principal once
 * verified. Set by {@link KitFilter} for the duration of the request on the handling (virtual)
 * thread, so that code far from the handler — the service-to-service client, log lines — can reach it.
 */
public final class RequestContext {
    private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:@#-]{1,128}");

    private final String requestId;
    private final String authorization;
    private final String apiKeyHeader;
    private volatile Principal principal;

    RequestContext(String requestId, String authorization, String apiKeyHeader) {
        this.requestId = requestId;
        this.authorization = authorization;
        this.apiKeyHeader = apiKeyHeader;
    }

    /**
     * The request id to use: a well-formed incoming one or a fresh UUID. Ids that could forge log lines or headers
     * (spaces, control characters, absurd length) are replaced.
     *
     * @param incoming header value or null
     * @return id
     */
    public static String requestId(String incoming) {
        if (incoming != null && SAFE_ID.matcher(incoming).matches()) {
            return incoming;
        }
        return UUID.randomUUID().toString();
    }

    /**
     * The context of the request served on this thread.
     *
     * @return context, empty outside a request
     */
    public static Optional<RequestContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * The context registered on a request.
     *
     * @param req request
     * @return context
     */
    public static RequestContext of(ServerRequest req) {
        return req.context().get(RequestContext.class, RequestContext.class)
                .orElseGet(() -> new RequestContext(requestId(null), null, null));
    }

    static void bind(RequestContext ctx) {
        CURRENT.set(ctx);
    }

    static void unbind() {
        CURRENT.remove();
    }

    /**
     * Request id.
     *
     * @return id
     */
    public String requestId() {
        return requestId;
    }

    /**
     * The Authorization header as the caller sent it, for propagation to other services.
     *
     * @return header value
     */
    public Optional<String> authorization() {
        return Optional.ofNullable(authorization);
    }

    /**
     * Qdrant-style {@code api-key} header as sent.
     *
     * @return header value
     */
    public Optional<String> apiKeyHeader() {
        return Optional.ofNullable(apiKeyHeader);
    }

    /**
     * The verified principal, once {@link Access} has verified the credentials.
     *
     * @return principal
     */
    public Optional<Principal> principal() {
        return Optional.ofNullable(principal);
    }

    void principal(Principal principal) {
        this.principal = principal;
    }
}
