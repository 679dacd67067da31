package ai.universal.kit.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem detail: {@code type}, {@code title}, {@code status}, {@code detail}, plus the platform's
 * machine-readable {@code code} and the {@code request_id} that ties the answer to the log lines.
 *
 * @param status    HTTP status code
 * @param code      stable machine-readable code, e.g. {@code validation_failed}
 * @param title     short, human summary of the problem type
 * @param detail    what exactly was wrong with this request
 * @param requestId the request id (may be null before one is known)
 * @param extra     additional members (e.g. {@code errors} for field violations); never null
 */
public record Problem(int status, String code, String title, String detail, String requestId, Map<String, Object> extra) {

    /** The media type problem details are sent with. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * A problem with no extra members.
     *
     * @param status status
     * @param code   code
     * @param title  title
     * @param detail detail
     * @return problem
     */
    public static Problem of(int status, String code, String title, String detail) {
        return new Problem(status, code, title, detail, null, Map.of());
    }

    /**
     * The same problem with the request id set.
     *
     * @param id request id
     * @return a copy
     */
    public Problem withRequestId(String id) {
        return new Problem(status, code, title, detail, id, extra);
    }

    /**
     * The JSON members in the order clients read them.
     *
     * @return an ordered map ready to serialize
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", "https://universal-ai.tools/problems/" + code.replace('_', '-'));
        json.put("title", title);
        json.put("status", status);
        json.put("detail", detail);
        json.put("code", code);
        if (requestId != null) {
            json.put("request_id", requestId);
        }
        json.putAll(extra);
        return json;
    }
}
