package ai.universal.edge.plugins;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response the edge makes itself instead of proxying (Kong's {@code kong.response.exit}/{@code error}).
 *
 * @param status  status code
 * @param headers headers to send (besides those plugins add in their header phase)
 * @param body    body bytes
 * @param source  who made it, for metrics: {@code kong} (a plugin or the router) or {@code error} (upstream failure)
 */
public record EdgeResponse(int status, Map<String, String> headers, byte[] body, String source) {

    /**
     * Kong's JSON error shape: {@code {"message":"...","request_id":"..."}}. The request id is filled in when sent.
     *
     * @param status  status
     * @param message message
     * @return response
     */
    public static EdgeResponse message(int status, String message) {
        return message(status, message, Map.of());
    }

    /**
     * Kong's JSON error shape with extra headers.
     *
     * @param status  status
     * @param message message
     * @param headers headers
     * @return response
     */
    public static EdgeResponse message(int status, String message, Map<String, String> headers) {
        return new EdgeResponse(status, jsonHeaders(headers), ("{\"message\":" + Json.quote(message) + "}")
                .getBytes(StandardCharsets.UTF_8), "kong");
    }

    /**
     * A JSON body given as text (e.g. the jwt plugin's {@code {"exp":"token expired"}}).
     *
     * @param status  status
     * @param json    JSON object text
     * @param headers headers
     * @return response
     */
    public static EdgeResponse json(int status, String json, Map<String, String> headers) {
        return new EdgeResponse(status, jsonHeaders(headers), json.getBytes(StandardCharsets.UTF_8), "kong");
    }

    /**
     * The same response marked as coming from an upstream failure.
     *
     * @return response with source {@code error}
     */
    public EdgeResponse asError() {
        return new EdgeResponse(status, headers, body, "error");
    }

    /**
     * Whether the body is Kong's {@code {"message": ...}} object, to which the request id is added.
     *
     * @return true for message bodies
     */
    public boolean isMessage() {
        return body.length > 12 && body[0] == '{' && new String(body, 0, 11, StandardCharsets.UTF_8).equals("{\"message\":");
    }

    private static Map<String, String> jsonHeaders(Map<String, String> headers) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json; charset=utf-8");
        h.putAll(headers);
        return h;
    }
}
