package ai.universal.edge.local;

import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.universal.edge.config.ConfigError;
import ai.universal.edge.config.ConfigException;
import ai.universal.edge.config.Entities;
import ai.universal.edge.config.KongConfig;
import ai.universal.edge.plugins.CorrelationIdPlugin;
import ai.universal.edge.plugins.CorsPlugin;
import ai.universal.edge.plugins.EdgePlugin;
import ai.universal.edge.plugins.IpRestrictionPlugin;
import ai.universal.edge.plugins.JwtPlugin;
import ai.universal.edge.plugins.OpenTelemetryPlugin;
import ai.universal.edge.plugins.OtlpSpanExporter;
import ai.universal.edge.plugins.PluginConfig;
import ai.universal.edge.plugins.PrometheusPlugin;
import ai.universal.edge.plugins.RateLimitStore;
import ai.universal.edge.plugins.RateLimitingPlugin;
import ai.universal.edge.plugins.RequestSizeLimitingPlugin;
import ai.universal.edge.plugins.RequestTerminationPlugin;

/**
 * One loaded config, ready to serve: the router, each route's plugin chain (the most specific instance of each plugin —
 * route over service over global — in Kong's priority order) and the global chain used when no route matches.
 * Immutable; a reload builds a new one and swaps it in atomically.
 *
 * @param config        the config
 * @param router        router
 * @param globalPlugins global plugins (for responses to unmatched requests)
 * @param hash          configuration hash (md5 of the loaded text)
 */
record EdgeRuntime(KongConfig config, Router router, List<EdgePlugin> globalPlugins, String hash) {

    /**
     * Build a runtime. Refuses (naming entity and field) every setting the local edge does not implement.
     *
     * @param config    validated config
     * @param resources shared resources
     * @return runtime
     * @throws ConfigException when the config uses something the edge does not implement
     */
    static EdgeRuntime compile(KongConfig config, EdgeResources resources) throws ConfigException {
        if (!config.edgeGaps().isEmpty()) {
            List<ConfigError> errors = new ArrayList<>();
            for (ConfigError gap : config.edgeGaps()) {
                errors.add(new ConfigError(gap.path(), gap.line(), "local edge refuses to start: " + gap.message()));
            }
            throw new ConfigException(errors);
        }
        Map<String, String> serviceNames = new HashMap<>();
        config.services().forEach(s -> serviceNames.put(s.id(), s.name() == null ? s.id() : s.name()));
        Map<String, String> routeNames = new HashMap<>();
        config.routes().forEach(r -> routeNames.put(r.id(), r.name() == null ? r.id() : r.name()));

        Map<String, EdgePlugin> instances = new LinkedHashMap<>();
        for (Entities.Plugin p : config.plugins()) {
            if (p.enabled() && (p.protocols().contains("http") || p.protocols().contains("https"))) {
                instances.put(p.id(), instantiate(p, config, resources, serviceNames, routeNames));
            }
        }
        List<RouteTarget> targets = new ArrayList<>();
        for (Entities.Route route : config.routes()) {
            Entities.Service service = route.serviceId() == null ? null : config.service(route.serviceId()).orElse(null);
            if (service != null && !service.enabled()) {
                continue;
            }
            Map<String, Entities.Plugin> chosen = new LinkedHashMap<>();
            for (Entities.Plugin p : config.plugins()) {
                if (!instances.containsKey(p.id())) {
                    continue;
                }
                int specificity = specificity(p, route, service);
                if (specificity < 0) {
                    continue;
                }
                Entities.Plugin current = chosen.get(p.name());
                if (current == null || specificity(current, route, service) < specificity) {
                    chosen.put(p.name(), p);
                }
            }
            List<EdgePlugin> chain = new ArrayList<>();
            chosen.values().forEach(p -> chain.add(instances.get(p.id())));
            chain.sort(Comparator.comparingInt(EdgePlugin::priority).reversed());
            targets.add(new RouteTarget(route, service, List.copyOf(chain)));
        }
        List<EdgePlugin> global = new ArrayList<>();
        for (Entities.Plugin p : config.plugins()) {
            if (instances.containsKey(p.id()) && p.routeId() == null && p.serviceId() == null && p.consumerId() == null) {
                global.add(instances.get(p.id()));
            }
        }
        global.sort(Comparator.comparingInt(EdgePlugin::priority).reversed());
        return new EdgeRuntime(config, Router.create(targets), List.copyOf(global), md5(config.text()));
    }

    private static int specificity(Entities.Plugin p, Entities.Route route, Entities.Service service) {
        if (p.consumerId() != null) {
            return -1;
        }
        if (p.routeId() != null) {
            return p.routeId().equals(route.id()) ? 2 : -1;
        }
        if (p.serviceId() != null) {
            return service != null && p.serviceId().equals(service.id()) ? 1 : -1;
        }
        return 0;
    }

    private static EdgePlugin instantiate(Entities.Plugin p, KongConfig config, EdgeResources resources,
                                          Map<String, String> serviceNames, Map<String, String> routeNames) {
        PluginConfig c = new PluginConfig(p.config());
        return switch (p.name()) {
        case "jwt" -> new JwtPlugin(c, config);
        case "rate-limiting" -> new RateLimitingPlugin(c, p.routeId(), p.serviceId(), store(c, resources),
                                                       resources.metrics(), p.at());
        case "cors" -> new CorsPlugin(c);
        case "request-size-limiting" -> new RequestSizeLimitingPlugin(c);
        case "correlation-id" -> new CorrelationIdPlugin(c);
        case "prometheus" -> new PrometheusPlugin(c, resources.metrics(), serviceNames, routeNames);
        case "opentelemetry" -> new OpenTelemetryPlugin(c, exporter(c, resources));
        case "ip-restriction" -> new IpRestrictionPlugin(c);
        case "request-termination" -> new RequestTerminationPlugin(c);
        default -> throw new IllegalStateException("validator let through plugin " + p.name());
        };
    }

    private static RateLimitStore store(PluginConfig c, EdgeResources resources) {
        if (!"redis".equals(c.str("policy"))) {
            return resources.localStore();
        }
        PluginConfig r = c.rec("redis");
        double syncRate = c.num("sync_rate");
        if (syncRate >= 0) {
            // Kong: -1 counts in Redis on every request; any other value keeps counters here, synced that often
            return resources.syncedRedisStore(r.str("host"), r.num("port").intValue(), r.num("database").intValue(),
                                              r.str("username"), r.str("password"), r.num("timeout").intValue(), syncRate);
        }
        return resources.redisStore(r.str("host"), r.num("port").intValue(), r.num("database").intValue(),
                                    r.str("username"), r.str("password"), r.num("timeout").intValue());
    }

    @SuppressWarnings("unchecked")
    private static OtlpSpanExporter exporter(PluginConfig c, EdgeResources resources) {
        String endpoint = c.str("traces_endpoint");
        if (endpoint == null) {
            return null;
        }
        PluginConfig queue = c.rec("queue");
        Map<String, String> headers = c.map().get("headers") == null ? Map.of() : (Map<String, String>) c.map().get("headers");
        Map<String, String> resource = new LinkedHashMap<>();
        resource.put("service.name", "kong");
        if (c.map().get("resource_attributes") instanceof Map<?, ?> attrs) {
            resource.putAll((Map<String, String>) attrs);
        }
        return resources.exporter(URI.create(endpoint), headers, resource,
                                  queue.num("max_batch_size") == null ? 200 : queue.num("max_batch_size").intValue(),
                                  queue.num("max_coalescing_delay") == null ? 1000
                                          : (long) (queue.num("max_coalescing_delay") * 1000),
                                  queue.num("max_entries") == null ? 10000 : queue.num("max_entries").intValue(),
                                  Duration.ofMillis(c.num("connect_timeout").longValue()),
                                  Duration.ofMillis(c.num("send_timeout").longValue()));
    }

    static String md5(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
            return String.format("%032x", new BigInteger(1, digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
