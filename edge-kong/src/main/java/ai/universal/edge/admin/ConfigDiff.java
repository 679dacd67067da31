package ai.universal.edge.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import ai.universal.edge.config.Entities;
import ai.universal.edge.config.KongConfig;

/**
 * What would change if a config were pushed: entities added ({@code +}), removed ({@code -}) and changed ({@code ~}),
 * matched by name (services, routes), username (consumers), key (jwt_secrets) and name + scope (plugins). Both sides
 * are compared after Kong's defaults are filled in, so a default written out on one side is no difference.
 */
public final class ConfigDiff {
    private ConfigDiff() {
    }

    /**
     * Compute the differences.
     *
     * @param current what Kong serves now
     * @param wanted  what we want it to serve
     * @return one line per difference, empty when equal
     */
    public static List<String> diff(KongConfig current, KongConfig wanted) {
        Map<String, Map<String, Object>> from = view(current);
        Map<String, Map<String, Object>> to = view(wanted);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : to.entrySet()) {
            Map<String, Object> old = from.get(e.getKey());
            if (old == null) {
                out.add("+ " + e.getKey());
                continue;
            }
            for (Map.Entry<String, Object> f : e.getValue().entrySet()) {
                Object before = old.get(f.getKey());
                if (!Objects.equals(before, f.getValue())) {
                    out.add("~ " + e.getKey() + ": " + f.getKey() + " " + show(before) + " -> " + show(f.getValue()));
                }
            }
        }
        for (String key : from.keySet()) {
            if (!to.containsKey(key)) {
                out.add("- " + key);
            }
        }
        return out;
    }

    private static Map<String, Map<String, Object>> view(KongConfig c) {
        Map<String, Map<String, Object>> v = new TreeMap<>();
        Map<String, String> serviceNames = new LinkedHashMap<>();
        Map<String, String> routeNames = new LinkedHashMap<>();
        Map<String, String> consumerNames = new LinkedHashMap<>();
        for (Entities.Service s : c.services()) {
            String name = s.name() != null ? s.name() : s.id();
            serviceNames.put(s.id(), name);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("protocol", s.protocol());
            f.put("host", s.host());
            f.put("port", s.port());
            f.put("path", s.basePath());
            f.put("retries", s.retries());
            f.put("connect_timeout", s.connectTimeout());
            f.put("write_timeout", s.writeTimeout());
            f.put("read_timeout", s.readTimeout());
            f.put("enabled", s.enabled());
            v.put("service '" + name + "'", f);
        }
        for (Entities.Route r : c.routes()) {
            String name = r.name() != null ? r.name() : r.id();
            routeNames.put(r.id(), name);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("service", r.serviceId() == null ? null : serviceNames.get(r.serviceId()));
            for (String key : List.of("protocols", "methods", "hosts", "paths", "regex_priority", "strip_path",
                                      "preserve_host", "path_handling", "headers")) {
                f.put(key, r.fields().get(key));
            }
            v.put("route '" + name + "'", f);
        }
        for (Entities.Consumer consumer : c.consumers()) {
            String name = consumer.username() != null ? consumer.username() : consumer.customId();
            consumerNames.put(consumer.id(), name);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("username", consumer.username());
            f.put("custom_id", consumer.customId());
            v.put("consumer '" + name + "'", f);
        }
        for (Entities.JwtSecret s : c.jwtSecrets()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("consumer", consumerNames.get(s.consumerId()));
            f.put("algorithm", s.algorithm());
            f.put("rsa_public_key", s.rsaPublicKey() == null ? null : s.rsaPublicKey().replaceAll("\\s", ""));
            v.put("jwt_secret '" + s.key() + "'", f);
        }
        for (Entities.Plugin p : c.plugins()) {
            String scope;
            if (p.routeId() != null) {
                scope = "route '" + routeNames.get(p.routeId()) + "'";
            } else if (p.serviceId() != null) {
                scope = "service '" + serviceNames.get(p.serviceId()) + "'";
            } else if (p.consumerId() != null) {
                scope = "consumer '" + consumerNames.get(p.consumerId()) + "'";
            } else {
                scope = "global";
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("enabled", p.enabled());
            flatten("config", p.config(), f);
            v.put("plugin '" + p.name() + "' on " + scope, f);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> map, Map<String, Object> out) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(prefix + "." + e.getKey(), (Map<String, Object>) nested, out);
            } else {
                out.put(prefix + "." + e.getKey(), e.getValue());
            }
        }
    }

    private static String show(Object value) {
        if (value instanceof String s && s.length() > 40) {
            return "\"" + s.substring(0, 37) + "...\"";
        }
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
