package ai.universal.edge.plugins;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * request-termination: answers every request itself with {@code status_code} and either {@code message} (Kong's JSON
 * shape, with Kong's default text per status) or a raw {@code body} with {@code content_type}.
 */
public final class RequestTerminationPlugin implements EdgePlugin {
    private static final Map<Integer, String> DEFAULTS = Map.of(401, "Unauthorized", 404, "Not found",
                                                                 405, "Method not allowed",
                                                                 500, "An unexpected error occurred",
                                                                 502, "Bad Gateway", 503, "Service unavailable");
    private final EdgeResponse response;

    /**
     * Create from config.
     *
     * @param config normalized config
     */
    public RequestTerminationPlugin(PluginConfig config) {
        int status = config.num("status_code").intValue();
        String body = config.str("body");
        if (body != null) {
            String type = config.str("content_type") == null ? "application/json; charset=utf-8" : config.str("content_type");
            this.response = new EdgeResponse(status, Map.of("Content-Type", type), body.getBytes(StandardCharsets.UTF_8),
                                             "kong");
        } else {
            String message = config.str("message") != null ? config.str("message") : DEFAULTS.get(status);
            this.response = message == null
                    ? new EdgeResponse(status, Map.of(), new byte[0], "kong")
                    : EdgeResponse.message(status, message);
        }
    }

    @Override
    public String name() {
        return "request-termination";
    }

    @Override
    public int priority() {
        return 2;
    }

    @Override
    public Optional<EdgeResponse> access(Exchange exchange) {
        return Optional.of(response);
    }
}
