package ai.universal.edge.plugins;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * cors, as Kong's plugin does it: a preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered
 * 200 by the edge unless {@code preflight_continue}; every other response gets {@code Access-Control-Allow-Origin}
 * ({@code *} when origins is empty or {@code *}, else the request's Origin when it matches a listed origin or regex),
 * {@code Vary: Origin} for lists, {@code -Allow-Credentials}, {@code -Expose-Headers}.
 */
public final class CorsPlugin implements EdgePlugin {
    private static final String PREFLIGHT = "cors-preflight";

    private final List<String> origins;
    private final List<Pattern> originPatterns = new ArrayList<>();
    private final List<String> headers;
    private final List<String> exposedHeaders;
    private final List<String> methods;
    private final Double maxAge;
    private final boolean credentials;
    private final boolean privateNetwork;
    private final boolean preflightContinue;
    private final boolean allowOriginAbsent;

    /**
     * Create from config.
     *
     * @param config normalized config
     */
    public CorsPlugin(PluginConfig config) {
        this.origins = config.list("origins");
        for (String origin : origins) {
            if (!origin.equals("*")) {
                // Kong treats an origin as a regex unless it is a plain origin; a plain one must match whole
                boolean plain = origin.matches("^[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9.\\-:\\[\\]]+$");
                originPatterns.add(Pattern.compile(plain ? Pattern.quote(origin) : origin));
            }
        }
        this.headers = config.list("headers");
        this.exposedHeaders = config.list("exposed_headers");
        this.methods = config.list("methods");
        this.maxAge = config.num("max_age");
        this.credentials = config.bool("credentials");
        this.privateNetwork = config.bool("private_network");
        this.preflightContinue = config.bool("preflight_continue");
        this.allowOriginAbsent = config.bool("allow_origin_absent");
    }

    @Override
    public String name() {
        return "cors";
    }

    @Override
    public int priority() {
        return 2000;
    }

    @Override
    public Optional<EdgeResponse> access(Exchange exchange) {
        if (!"OPTIONS".equals(exchange.method()) || exchange.header("Access-Control-Request-Method") == null) {
            return Optional.empty();
        }
        if (preflightContinue) {
            return Optional.empty();
        }
        exchange.attributes().put(PREFLIGHT, Boolean.TRUE);
        Map<String, String> h = new LinkedHashMap<>();
        origin(exchange, h);
        String requested = exchange.header("Access-Control-Request-Headers");
        if (!headers.isEmpty()) {
            h.put("Access-Control-Allow-Headers", String.join(",", headers));
        } else if (requested != null) {
            h.put("Access-Control-Allow-Headers", requested);
        }
        h.put("Access-Control-Allow-Methods", String.join(",", methods));
        if (maxAge != null) {
            h.put("Access-Control-Max-Age", String.valueOf(maxAge.longValue()));
        }
        if (privateNetwork && "true".equals(exchange.header("Access-Control-Request-Private-Network"))) {
            h.put("Access-Control-Allow-Private-Network", "true");
        }
        return Optional.of(new EdgeResponse(200, h, new byte[0], "kong"));
    }

    @Override
    public void headerFilter(Exchange exchange) {
        if (exchange.attributes().containsKey(PREFLIGHT)) {
            return;
        }
        Map<String, String> h = new LinkedHashMap<>();
        origin(exchange, h);
        if (!exposedHeaders.isEmpty() && h.containsKey("Access-Control-Allow-Origin")) {
            h.put("Access-Control-Expose-Headers", String.join(",", exposedHeaders));
        }
        h.forEach(exchange::setDownstreamHeader);
    }

    private void origin(Exchange exchange, Map<String, String> h) {
        String requestOrigin = exchange.header("Origin");
        if (requestOrigin == null && !allowOriginAbsent) {
            return;
        }
        boolean allowAll = origins.isEmpty() || origins.contains("*");
        if (allowAll) {
            if (credentials && requestOrigin != null) {
                h.put("Access-Control-Allow-Origin", requestOrigin);
                h.put("Access-Control-Allow-Credentials", "true");
                h.put("Vary", "Origin");
            } else {
                h.put("Access-Control-Allow-Origin", "*");
            }
            return;
        }
        h.put("Vary", "Origin");
        if (requestOrigin != null) {
            for (Pattern p : originPatterns) {
                if (p.matcher(requestOrigin).matches()) {
                    h.put("Access-Control-Allow-Origin", requestOrigin);
                    break;
                }
            }
        }
        if (credentials) {
            h.put("Access-Control-Allow-Credentials", "true");
        }
    }
}
