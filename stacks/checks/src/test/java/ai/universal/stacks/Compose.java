package ai.universal.stacks;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A compose model: one file, or several merged the way {@code docker compose -f a -f b} merges them (mappings merge
 * key by key, later files win; ports, volumes, secrets, tmpfs and networks lists are joined; other values are
 * replaced). {@code include} (compose.full.yml) is expanded into the listed files, merged in order.
 */
record Compose(List<String> files, ObjectNode model) {
    private static final Set<String> JOINED_LISTS = Set.of("ports", "volumes", "secrets", "tmpfs", "networks", "devices");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::?[-?]([^}]*))?}");

    static Compose of(String... files) {
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        List<String> expanded = new ArrayList<>();
        for (String file : files) {
            JsonNode doc = Repo.yaml(Repo.STACKS.resolve(file));
            if (doc.has("include")) {
                for (JsonNode include : doc.get("include")) {
                    JsonNode path = include.isTextual() ? include : include.get("path");
                    for (JsonNode p : path.isArray() ? path : JsonNodeFactory.instance.arrayNode().add(path)) {
                        expanded.add(p.asText());
                        merge(merged, Repo.yaml(Repo.STACKS.resolve(p.asText())));
                    }
                }
            } else {
                expanded.add(file);
            }
            ObjectNode rest = ((ObjectNode) doc.deepCopy());
            rest.remove("include");
            merge(merged, rest);
        }
        return new Compose(expanded, merged);
    }

    Map<String, JsonNode> services() {
        Map<String, JsonNode> services = new LinkedHashMap<>();
        model.path("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
        return services;
    }

    JsonNode service(String name) {
        JsonNode s = model.path("services").path(name);
        if (s.isMissingNode()) {
            throw new AssertionError(files + ": no service " + name);
        }
        return s;
    }

    /** Environment of a service as name → raw value (list or mapping syntax). */
    Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = service(service).path("environment");
        if (e.isArray()) {
            e.forEach(item -> {
                String[] kv = item.asText().split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : null);
            });
        } else {
            e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
        }
        return env;
    }

    /** A value with Compose's {@code ${NAME:-default}} replaced by its default (what runs when NAME is unset). */
    static String withDefaults(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    static Optional<String> text(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull() ? Optional.empty() : Optional.of(node.asText());
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> out.add(n.isObject() ? n.toString() : n.asText()));
        }
        return out;
    }

    private static void merge(ObjectNode target, JsonNode source) {
        Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = target.get(f.getKey());
            JsonNode value = f.getValue();
            if (existing instanceof ObjectNode o && value.isObject()) {
                merge(o, value);
            } else if (existing instanceof ArrayNode a && value.isArray() && JOINED_LISTS.contains(f.getKey())) {
                Set<String> seen = new LinkedHashSet<>();
                a.forEach(n -> seen.add(n.toString()));
                value.forEach(n -> {
                    if (seen.add(n.toString())) {
                        a.add(n.deepCopy());
                    }
                });
            } else {
                target.set(f.getKey(), value.deepCopy());
            }
        }
    }
}
