package ai.universal.edge.plugins;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * rate-limiting, as Kong's plugin: windows second…year, counted per {@code limit_by} identifier (ip, consumer,
 * credential, service, header, path; falling back to the client IP as Kong does) in a {@link RateLimitStore}.
 * Headers {@code X-RateLimit-Limit-<Period>}, {@code X-RateLimit-Remaining-<Period>}, {@code RateLimit-Limit},
 * {@code RateLimit-Remaining}, {@code RateLimit-Reset} (of the tightest window) unless {@code hide_client_headers};
 * a full window answers {@code error_code} (429) {@code {"message":"API rate limit exceeded"}} with {@code Retry-After}.
 * When the store fails: with {@code fault_tolerant} the request passes without headers and the failure is counted in
 * {@code local_edge_rate_limiting_store_errors_total}; without it the request fails with 500 as in Kong.
 */
public final class RateLimitingPlugin implements EdgePlugin {
    private static final System.Logger LOGGER = System.getLogger(RateLimitingPlugin.class.getName());
    private static final String EMPTY_UUID = "00000000-0000-0000-0000-000000000000";
    private static final List<String> PERIODS = List.of("second", "minute", "hour", "day", "month", "year");
    private static final Map<String, Integer> EXPIRATION = Map.of("second", 1, "minute", 60, "hour", 3600,
                                                                   "day", 86400, "month", 2592000, "year", 31536000);
    private static final String HEADERS = "rate-limiting-headers";

    private final List<String> periods = new ArrayList<>();
    private final List<Double> limits = new ArrayList<>();
    private final String limitBy;
    private final String headerName;
    private final String path;
    private final String policy;
    private final boolean faultTolerant;
    private final boolean hideClientHeaders;
    private final int errorCode;
    private final String errorMessage;
    private final String scopeRouteId;
    private final String scopeServiceId;
    private final RateLimitStore store;
    private final EdgeMetrics metrics;
    private final String at;

    /**
     * Create from config.
     *
     * @param config         normalized config
     * @param scopeRouteId   route the plugin is attached to, or null
     * @param scopeServiceId service the plugin is attached to, or null
     * @param store          counter store for the policy
     * @param metrics        metrics registry
     * @param at             the plugin's path in kong.yml (metric label)
     */
    public RateLimitingPlugin(PluginConfig config, String scopeRouteId, String scopeServiceId, RateLimitStore store,
                              EdgeMetrics metrics, String at) {
        for (String period : PERIODS) {
            Double limit = config.num(period);
            if (limit != null) {
                periods.add(period);
                limits.add(limit);
            }
        }
        this.limitBy = config.str("limit_by");
        this.headerName = config.str("header_name");
        this.path = config.str("path");
        this.policy = config.str("policy");
        this.faultTolerant = config.bool("fault_tolerant");
        this.hideClientHeaders = config.bool("hide_client_headers");
        this.errorCode = config.num("error_code").intValue();
        this.errorMessage = config.str("error_message");
        this.scopeRouteId = scopeRouteId;
        this.scopeServiceId = scopeServiceId;
        this.store = store;
        this.metrics = metrics;
        this.at = at;
    }

    @Override
    public boolean waitsOnNetwork() {
        return store instanceof RedisRateLimitStore;
    }

    @Override
    public String name() {
        return "rate-limiting";
    }

    @Override
    public int priority() {
        return 910;
    }

    @Override
    public Optional<EdgeResponse> access(Exchange exchange) {
        long now = System.currentTimeMillis();
        String identifier = identifier(exchange);
        List<String> keys = new ArrayList<>(periods.size());
        List<Integer> ttls = new ArrayList<>(periods.size());
        Map<String, Long> starts = new LinkedHashMap<>();
        for (String period : periods) {
            long start = periodStart(period, now);
            starts.put(period, start);
            keys.add("ratelimit:" + (scopeRouteId == null ? EMPTY_UUID : scopeRouteId) + ":"
                             + (scopeServiceId == null ? EMPTY_UUID : scopeServiceId) + ":" + identifier + ":" + start
                             + ":" + period);
            ttls.add(EXPIRATION.get(period));
        }
        RateLimitStore.Outcome outcome;
        try {
            outcome = store.checkAndCount(keys, limits, ttls);
        } catch (Exception e) {
            metrics.count("local_edge_rate_limiting_store_errors_total",
                          "Rate-limiting counter store failures (requests let through when fault_tolerant)",
                          List.of("plugin", at, "policy", policy, "fault_tolerant", String.valueOf(faultTolerant)), 1);
            LOGGER.log(System.Logger.Level.WARNING, "rate-limiting " + policy + " store failed (" + at + "): "
                    + e.getClass().getSimpleName() + ": " + e.getMessage());
            if (faultTolerant) {
                return Optional.empty();
            }
            return Optional.of(EdgeResponse.message(500, "An unexpected error occurred"));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        long reset = 0;
        if (!hideClientHeaders) {
            Double limit = null;
            long window = 0;
            long remaining = 0;
            for (int i = 0; i < periods.size(); i++) {
                String period = periods.get(i);
                double periodLimit = limits.get(i);
                long periodRemaining = (long) Math.floor(periodLimit) - outcome.usage()[i];
                boolean stopsHere = periodLimit - outcome.usage()[i] <= 0;
                if (!outcome.stopped() || stopsHere) {
                    periodRemaining -= 1;
                }
                periodRemaining = Math.max(0, periodRemaining);
                long periodWindow = EXPIRATION.get(period);
                if (limit == null || periodRemaining < remaining || (periodRemaining == remaining && periodWindow > window)) {
                    limit = periodLimit;
                    window = periodWindow;
                    remaining = periodRemaining;
                    reset = Math.max(1, window - (now - starts.get(period)) / 1000);
                }
                String suffix = Character.toUpperCase(period.charAt(0)) + period.substring(1);
                headers.put("X-RateLimit-Limit-" + suffix, number(periodLimit));
                headers.put("X-RateLimit-Remaining-" + suffix, String.valueOf(periodRemaining));
            }
            headers.put("RateLimit-Limit", number(limit));
            headers.put("RateLimit-Remaining", String.valueOf(remaining));
            headers.put("RateLimit-Reset", String.valueOf(reset));
            exchange.attributes().put(HEADERS, headers);
        }
        if (outcome.stopped()) {
            Map<String, String> errorHeaders = new LinkedHashMap<>(headers);
            if (!hideClientHeaders) {
                errorHeaders.put("Retry-After", String.valueOf(reset));
            }
            return Optional.of(EdgeResponse.message(errorCode, errorMessage, errorHeaders));
        }
        return Optional.empty();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void headerFilter(Exchange exchange) {
        Object headers = exchange.attributes().get(HEADERS);
        if (headers != null) {
            ((Map<String, String>) headers).forEach(exchange::setDownstreamHeader);
        }
    }

    private String identifier(Exchange exchange) {
        String id = switch (limitBy) {
        case "service" -> exchange.service() == null ? null : exchange.service().id();
        case "consumer" -> exchange.consumer() != null ? exchange.consumer().id() : exchange.credentialId();
        case "credential" -> exchange.credentialId();
        case "header" -> exchange.header(headerName);
        case "path" -> exchange.path().equals(path) ? path : null;
        default -> null;
        };
        return id == null ? exchange.clientIp() : id;
    }

    /**
     * Start of the window containing {@code nowMs}, in ms, UTC as Kong computes it.
     *
     * @param period period name
     * @param nowMs  now
     * @return window start
     */
    static long periodStart(String period, long nowMs) {
        // epoch millis have no leap seconds: fixed-length UTC windows are plain arithmetic
        switch (period) {
        case "second":
            return Math.floorDiv(nowMs, 1000L) * 1000L;
        case "minute":
            return Math.floorDiv(nowMs, 60_000L) * 60_000L;
        case "hour":
            return Math.floorDiv(nowMs, 3_600_000L) * 3_600_000L;
        case "day":
            return Math.floorDiv(nowMs, 86_400_000L) * 86_400_000L;
        default:
            break;
        }
        ZonedDateTime t = Instant.ofEpochMilli(nowMs).atZone(ZoneOffset.UTC);
        ZonedDateTime start = switch (period) {
        case "second" -> t.withNano(0);
        case "minute" -> t.withNano(0).withSecond(0);
        case "hour" -> t.withNano(0).withSecond(0).withMinute(0);
        case "day" -> t.toLocalDate().atStartOfDay(ZoneOffset.UTC);
        case "month" -> t.toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC);
        default -> t.toLocalDate().withDayOfYear(1).atStartOfDay(ZoneOffset.UTC);
        };
        return start.toInstant().toEpochMilli();
    }

    private static String number(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
