package ai.universal.edge.plugins;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import ai.universal.edge.config.Entities;

/**
 * One request passing through the edge, as the plugins see it: what the client sent, which route and service it
 * matched, and what the plugins decided (consumer, headers to add upstream and downstream, a buffered body).
 * Owned by the request's thread; plugins run one after another on it.
 */
public final class Exchange {
    private final String method;
    private final String path;
    private final String rawQuery;
    private final String host;
    private final String clientIp;
    private final byte[] clientAddress;
    private final Function<String, List<String>> requestHeaders;
    private final Entities.Route route;
    private final Entities.Service service;
    private final String requestId;
    private final long startNanos;
    private final Map<String, String> upstreamHeaders = new LinkedHashMap<>();
    private final Set<String> upstreamRemoved = new LinkedHashSet<>();
    private final Map<String, String> downstreamHeaders = new LinkedHashMap<>();
    private final Map<String, Object> attributes = new HashMap<>();
    private Entities.Consumer consumer;
    private String credentialId;
    private String credentialKey;
    private byte[] bufferedBody;
    private int status;
    private String source = "service";
    private long bytesIn;
    private long bytesOut;
    private long upstreamLatencyMs = -1;
    private long proxyLatencyMs = -1;

    /**
     * Create an exchange.
     *
     * @param method         HTTP method
     * @param path           raw request path
     * @param rawQuery       raw query string or empty
     * @param host           host the client asked for (without port)
     * @param clientIp       client address as text
     * @param clientAddress  client address bytes
     * @param requestHeaders request header lookup (all values, case-insensitive name)
     * @param route          matched route or null
     * @param service        its service or null
     * @param requestId      the edge's id for this request
     * @param startNanos     when the request arrived
     */
    public Exchange(String method, String path, String rawQuery, String host, String clientIp, byte[] clientAddress,
                    Function<String, List<String>> requestHeaders, Entities.Route route, Entities.Service service,
                    String requestId, long startNanos) {
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery;
        this.host = host;
        this.clientIp = clientIp;
        this.clientAddress = clientAddress;
        this.requestHeaders = requestHeaders;
        this.route = route;
        this.service = service;
        this.requestId = requestId;
        this.startNanos = startNanos;
    }

    /** @return HTTP method */
    public String method() {
        return method;
    }

    /** @return raw path */
    public String path() {
        return path;
    }

    /** @return raw query, empty when none */
    public String rawQuery() {
        return rawQuery;
    }

    /** @return requested host without port */
    public String host() {
        return host;
    }

    /** @return client IP text */
    public String clientIp() {
        return clientIp;
    }

    /** @return client IP bytes */
    public byte[] clientAddress() {
        return clientAddress;
    }

    /**
     * First value of a request header.
     *
     * @param name header name
     * @return value or null
     */
    public String header(String name) {
        List<String> values = requestHeaders.apply(name);
        return values.isEmpty() ? null : values.getFirst();
    }

    /**
     * All values of a request header.
     *
     * @param name header name
     * @return values, empty when absent
     */
    public List<String> headers(String name) {
        return requestHeaders.apply(name);
    }

    /** @return matched route, null when none matched */
    public Entities.Route route() {
        return route;
    }

    /** @return service of the route, may be null */
    public Entities.Service service() {
        return service;
    }

    /** @return the edge's request id */
    public String requestId() {
        return requestId;
    }

    /** @return arrival time (System.nanoTime) */
    public long startNanos() {
        return startNanos;
    }

    /**
     * Set a header on the upstream request (replacing the client's).
     *
     * @param name  name
     * @param value value
     */
    public void setUpstreamHeader(String name, String value) {
        upstreamRemoved.remove(name.toLowerCase());
        upstreamHeaders.put(name, value);
    }

    /**
     * Remove a header from the upstream request.
     *
     * @param name name
     */
    public void removeUpstreamHeader(String name) {
        upstreamHeaders.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        upstreamRemoved.add(name.toLowerCase());
    }

    /** @return headers set for upstream */
    public Map<String, String> upstreamHeaders() {
        return upstreamHeaders;
    }

    /** @return lower-case names removed for upstream */
    public Set<String> upstreamRemoved() {
        return upstreamRemoved;
    }

    /**
     * Set a header on the response to the client.
     *
     * @param name  name
     * @param value value
     */
    public void setDownstreamHeader(String name, String value) {
        downstreamHeaders.put(name, value);
    }

    /** @return headers for the client */
    public Map<String, String> downstreamHeaders() {
        return downstreamHeaders;
    }

    /** @return per-request plugin state */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** @return authenticated (or anonymous) consumer, null when none */
    public Entities.Consumer consumer() {
        return consumer;
    }

    /** @return id of the credential used, null for anonymous */
    public String credentialId() {
        return credentialId;
    }

    /** @return key of the credential (jwt_secret key), null for anonymous */
    public String credentialKey() {
        return credentialKey;
    }

    /**
     * Record who the client is (jwt plugin).
     *
     * @param consumer      consumer
     * @param credentialId  credential id or null (anonymous)
     * @param credentialKey credential key or null
     */
    public void authenticate(Entities.Consumer consumer, String credentialId, String credentialKey) {
        this.consumer = consumer;
        this.credentialId = credentialId;
        this.credentialKey = credentialKey;
    }

    /** @return request body read whole by a plugin, or null to stream the client's */
    public byte[] bufferedBody() {
        return bufferedBody;
    }

    /**
     * Replace the body stream with bytes already read.
     *
     * @param body body
     */
    public void bufferedBody(byte[] body) {
        this.bufferedBody = body;
    }

    /** @return final status sent to the client */
    public int status() {
        return status;
    }

    /** @return who produced the response: service, kong or error */
    public String source() {
        return source;
    }

    /**
     * Record the outcome (before the log phase).
     *
     * @param status            status sent
     * @param source            service, kong or error
     * @param bytesIn           request bytes received
     * @param bytesOut          response bytes sent
     * @param upstreamLatencyMs time to upstream headers, -1 when not proxied
     * @param proxyLatencyMs    time spent in the edge before proxying
     */
    public void complete(int status, String source, long bytesIn, long bytesOut, long upstreamLatencyMs,
                         long proxyLatencyMs) {
        this.status = status;
        this.source = source;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.upstreamLatencyMs = upstreamLatencyMs;
        this.proxyLatencyMs = proxyLatencyMs;
    }

    /** @return request bytes */
    public long bytesIn() {
        return bytesIn;
    }

    /** @return response bytes */
    public long bytesOut() {
        return bytesOut;
    }

    /** @return upstream latency ms, -1 when not proxied */
    public long upstreamLatencyMs() {
        return upstreamLatencyMs;
    }

    /** @return edge latency ms before proxying */
    public long proxyLatencyMs() {
        return proxyLatencyMs;
    }
}
