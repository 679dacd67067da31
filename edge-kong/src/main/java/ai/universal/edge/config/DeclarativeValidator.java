package ai.universal.edge.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Checks a declarative config against Kong 3.9's schema for the entities and plugins we use and turns it into a
 * {@link KongConfig}. Every error is collected with its path and line; nothing stops at the first one.
 *
 * <p>Rules: required fields, types, one_of sets (protocols, policies, limit_by, algorithms, size units, ...), ranges,
 * route path rules ({@code /} prefix or {@code ~/} regex, no {@code //}, regex compiles), at least one matching field
 * per http route, rate-limiting windows ordered (a longer window's limit is not lower than a shorter one's), the
 * conditional fields of rate-limiting (redis host, header_name, path), unique names and keys, and references (service,
 * route, consumer, jwt {@code anonymous}) that resolve.
 */
public final class DeclarativeValidator {
    private static final Pattern UUID_PATTERN =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final List<String> PERIODS = List.of("second", "minute", "hour", "day", "month", "year");
    private static final Set<String> TOP_LEVEL = Set.of("_format_version", "_transform", "_comment", "_workspace",
                                                        "services", "routes", "consumers", "plugins", "jwt_secrets");
    private static final Set<String> KONG_ONLY_TOP_LEVEL = Set.of("upstreams", "targets", "certificates",
                                                                  "ca_certificates", "snis", "vaults", "key_sets", "keys",
                                                                  "consumer_groups", "acls", "keyauth_credentials",
                                                                  "basicauth_credentials", "hmacauth_credentials",
                                                                  "oauth2_credentials", "filter_chains", "parameters");

    private final YamlDocument doc;
    private final boolean lenient;
    private final List<ConfigError> errors = new ArrayList<>();
    private final List<ConfigError> edgeGaps = new ArrayList<>();
    private final List<Entities.Service> services = new ArrayList<>();
    private final List<Entities.Route> routes = new ArrayList<>();
    private final List<Entities.Consumer> consumers = new ArrayList<>();
    private final List<PendingSecret> secrets = new ArrayList<>();
    private final List<PendingPlugin> plugins = new ArrayList<>();
    private final List<PendingRoute> pendingRoutes = new ArrayList<>();

    private DeclarativeValidator(YamlDocument doc, boolean lenient) {
        this.doc = doc;
        this.lenient = lenient;
    }

    /**
     * Substitute environment variables in the text, parse and validate it.
     *
     * @param text   file text
     * @param lookup environment lookup
     * @return the config
     * @throws ConfigException with every error found
     */
    public static KongConfig load(String text, java.util.function.Function<String, String> lookup) throws ConfigException {
        String substituted = EnvSubstitution.apply(text, lookup);
        YamlDocument doc = YamlDocument.parse(substituted);
        return validate(doc, substituted);
    }

    /**
     * Validate a parsed document.
     *
     * @param doc  document
     * @param text text it came from
     * @return the config
     * @throws ConfigException with every error found
     */
    public static KongConfig validate(YamlDocument doc, String text) throws ConfigException {
        DeclarativeValidator v = new DeclarativeValidator(doc, false);
        KongConfig config = v.run(text);
        if (!v.errors.isEmpty()) {
            throw new ConfigException(v.errors);
        }
        return config;
    }

    /**
     * Read a config as Kong exports it ({@code GET /config}): fields this schema does not know (created_at, ws_id, ...)
     * are skipped and foreign keys may be {@code {id: ...}} records. Used to compare, never to serve.
     *
     * @param doc  document
     * @param text text it came from
     * @return the config
     * @throws ConfigException when even that fails
     */
    public static KongConfig readExport(YamlDocument doc, String text) throws ConfigException {
        DeclarativeValidator v = new DeclarativeValidator(doc, true);
        KongConfig config = v.run(text);
        if (!v.errors.isEmpty()) {
            throw new ConfigException(v.errors);
        }
        return config;
    }

    @SuppressWarnings("unchecked")
    private KongConfig run(String text) {
        if (!(doc.root() instanceof Map<?, ?> rootMap)) {
            error("", "expected an object");
            return null;
        }
        Map<String, Object> root = (Map<String, Object>) rootMap;
        Object format = root.get("_format_version");
        if (format == null) {
            error("_format_version", "required field missing");
        } else if (!"3.0".equals(String.valueOf(format))) {
            error("_format_version", "expected \"3.0\" (Kong 3.x format), got \"" + format + "\"");
        }
        for (String key : root.keySet()) {
            if (lenient) {
                continue;
            }
            if (KONG_ONLY_TOP_LEVEL.contains(key)) {
                gap(key, "entity '" + key + "' is not implemented by the local edge (needs real Kong)");
            } else if (!TOP_LEVEL.contains(key)) {
                error(key, "unknown field");
            }
        }
        for (Item item : items(root, "services", "")) {
            service(item.map(), item.path());
        }
        for (Item item : items(root, "routes", "")) {
            route(item.map(), item.path(), null);
        }
        for (Item item : items(root, "consumers", "")) {
            consumer(item.map(), item.path());
        }
        for (Item item : items(root, "jwt_secrets", "")) {
            jwtSecret(item.map(), item.path(), null);
        }
        for (Item item : items(root, "plugins", "")) {
            plugin(item.map(), item.path(), null, null, null);
        }
        checkUnique();
        List<Entities.Route> resolvedRoutes = resolveRoutes();
        List<Entities.JwtSecret> resolvedSecrets = resolveSecrets();
        List<Entities.Plugin> resolvedPlugins = resolvePlugins();
        return new KongConfig(format == null ? null : String.valueOf(format), List.copyOf(services),
                              resolvedRoutes, List.copyOf(consumers), resolvedSecrets, resolvedPlugins, doc, text,
                              List.copyOf(edgeGaps));
    }

    private void service(Map<String, Object> raw, String at) {
        Map<String, Object> input = new LinkedHashMap<>(raw);
        Object nestedRoutes = input.remove("routes");
        Object nestedPlugins = input.remove("plugins");
        Object url = input.get("url");
        Map<String, Object> s = record(input, KongSchemas.SERVICE, at);
        if (url instanceof String u) {
            applyUrl(s, u, at + ".url");
        }
        if (s.get("host") == null) {
            error(at + ".host", "required field missing");
        }
        String protocol = (String) s.get("protocol");
        if (protocol != null && !Set.of("http", "https").contains(protocol)) {
            gap(at + ".protocol", "protocol '" + protocol + "' is not implemented by the local edge (needs real Kong)");
        }
        String id = id(s, "service", at);
        Entities.Service service = new Entities.Service(at, id, (String) s.get("name"), protocol, (String) s.get("host"),
                                                        intOf(s.get("port")), (String) s.get("path"),
                                                        intOf(s.get("retries")), intOf(s.get("connect_timeout")),
                                                        intOf(s.get("write_timeout")), intOf(s.get("read_timeout")),
                                                        !Boolean.FALSE.equals(s.get("enabled")));
        services.add(service);
        for (Item item : nested(nestedRoutes, at + ".routes")) {
            route(item.map(), item.path(), id);
        }
        for (Item item : nested(nestedPlugins, at + ".plugins")) {
            plugin(item.map(), item.path(), id, null, null);
        }
    }

    private void applyUrl(Map<String, Object> s, String url, String at) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            error(at, "invalid url: " + url);
            return;
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            error(at, "missing host in url");
            return;
        }
        String scheme = uri.getScheme().toLowerCase();
        if (!KongSchemas.SERVICE_PROTOCOLS.contains(scheme)) {
            error(at, "expected one of: " + String.join(", ", new java.util.TreeSet<>(KongSchemas.SERVICE_PROTOCOLS)));
            return;
        }
        s.put("protocol", scheme);
        s.put("host", uri.getHost());
        s.put("port", (long) (uri.getPort() > 0 ? uri.getPort() : ("https".equals(scheme) ? 443 : 80)));
        String path = uri.getRawPath();
        s.put("path", path == null || path.isEmpty() ? null : path);
    }

    @SuppressWarnings("unchecked")
    private void route(Map<String, Object> raw, String at, String serviceId) {
        Map<String, Object> input = new LinkedHashMap<>(raw);
        Object nestedPlugins = input.remove("plugins");
        Map<String, Object> r = record(input, KongSchemas.ROUTE, at);
        List<String> protocols = (List<String>) r.getOrDefault("protocols", List.of("http", "https"));
        if (protocols != null && protocols.stream().anyMatch(p -> p.equals("http") || p.equals("https"))) {
            boolean any = nonEmpty(r.get("methods")) || nonEmpty(r.get("hosts")) || nonEmpty(r.get("paths"))
                    || nonEmpty(r.get("headers")) || nonEmpty(r.get("snis"));
            if (!any) {
                error(at, "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http' or 'https'");
            }
        }
        if (protocols != null) {
            for (String p : protocols) {
                if (!p.equals("http") && !p.equals("https")) {
                    gap(at + ".protocols", "protocol '" + p + "' is not implemented by the local edge (needs real Kong)");
                }
            }
        }
        String id = id(r, "route", at);
        pendingRoutes.add(new PendingRoute(at, id, r, serviceId, (String) r.get("service"), doc.lineOf(at)));
        for (Item item : nested(nestedPlugins, at + ".plugins")) {
            plugin(item.map(), item.path(), null, id, null);
        }
    }

    private void consumer(Map<String, Object> raw, String at) {
        Map<String, Object> input = new LinkedHashMap<>(raw);
        Object nestedSecrets = input.remove("jwt_secrets");
        Object nestedPlugins = input.remove("plugins");
        Map<String, Object> c = record(input, KongSchemas.CONSUMER, at);
        if (c.get("username") == null && c.get("custom_id") == null) {
            error(at, "at least one of these fields must be non-empty: 'custom_id', 'username'");
        }
        String id = c.get("id") != null ? (String) c.get("id")
                : derived("consumer", c.get("username") != null ? (String) c.get("username") : (String) c.get("custom_id"));
        consumers.add(new Entities.Consumer(at, id, (String) c.get("username"), (String) c.get("custom_id")));
        for (Item item : nested(nestedSecrets, at + ".jwt_secrets")) {
            jwtSecret(item.map(), item.path(), id);
        }
        for (Item item : nested(nestedPlugins, at + ".plugins")) {
            plugin(item.map(), item.path(), null, null, id);
        }
    }

    private void jwtSecret(Map<String, Object> raw, String at, String consumerId) {
        Map<String, Object> j = record(raw, KongSchemas.JWT_SECRET, at);
        String algorithm = (String) j.get("algorithm");
        if (algorithm != null && algorithm.startsWith("HS")) {
            if (j.get("secret") == null) {
                error(at + ".secret", "required field missing");
            }
        } else if (algorithm != null) {
            Object pem = j.get("rsa_public_key");
            if (pem == null) {
                error(at + ".rsa_public_key", "required field missing (algorithm " + algorithm + ")");
            } else if (!PublicKeys.isValidPem((String) pem, algorithm)) {
                error(at + ".rsa_public_key", "invalid key: not a PEM public key usable with " + algorithm);
            }
        }
        if (j.get("key") == null) {
            error(at + ".key", "required field missing");
        }
        if (consumerId == null && j.get("consumer") == null) {
            error(at + ".consumer", "required field missing");
        }
        String id = j.get("id") != null ? (String) j.get("id") : derived("jwt_secret", String.valueOf(j.get("key")));
        secrets.add(new PendingSecret(at, id, j, consumerId));
    }

    @SuppressWarnings("unchecked")
    private void plugin(Map<String, Object> raw, String at, String serviceId, String routeId, String consumerId) {
        Map<String, Object> input = new LinkedHashMap<>(raw);
        Object rawConfig = input.remove("config");
        Map<String, Object> p = record(input, KongSchemas.PLUGIN, at);
        String name = (String) p.get("name");
        if (name == null) {
            return;
        }
        List<Field> schema = KongSchemas.PLUGIN_CONFIG.get(name);
        if (schema == null) {
            error(at + ".name", "plugin '" + name + "' not enabled; add it to the 'plugins' configuration property");
            return;
        }
        Map<String, Object> config;
        if (rawConfig == null) {
            config = record(Map.of(), schema, at + ".config");
        } else if (rawConfig instanceof Map<?, ?> m) {
            config = record((Map<String, Object>) m, schema, at + ".config");
        } else {
            error(at + ".config", "expected a record");
            return;
        }
        pluginChecks(name, config, at + ".config");
        p.put("config", config);
        String id = id(p, "plugin", at);
        plugins.add(new PendingPlugin(at, id, name, p, config, serviceId, routeId, consumerId));
    }

    private void pluginChecks(String name, Map<String, Object> c, String at) {
        switch (name) {
        case "rate-limiting" -> {
            if (PERIODS.stream().noneMatch(period -> c.get(period) != null)) {
                error(at, "at least one of these fields must be non-empty: 'config.second', 'config.minute', "
                        + "'config.hour', 'config.day', 'config.month', 'config.year'");
            }
            for (int i = 0; i < PERIODS.size(); i++) {
                Object lower = c.get(PERIODS.get(i));
                if (!(lower instanceof Number lowerValue)) {
                    continue;
                }
                for (int k = i + 1; k < PERIODS.size(); k++) {
                    Object upper = c.get(PERIODS.get(k));
                    if (upper instanceof Number upperValue && upperValue.doubleValue() < lowerValue.doubleValue()) {
                        error(at + "." + PERIODS.get(k), String.format(java.util.Locale.ROOT,
                                "The limit for %s(%.1f) cannot be lower than the limit for %s(%.1f)",
                                PERIODS.get(k), upperValue.doubleValue(), PERIODS.get(i), lowerValue.doubleValue()));
                    }
                }
            }
            if ("redis".equals(c.get("policy"))) {
                Object redis = c.get("redis");
                if (!(redis instanceof Map<?, ?> r) || r.get("host") == null) {
                    error(at + ".redis.host", "required field missing (policy is redis)");
                }
            }
            if ("header".equals(c.get("limit_by")) && c.get("header_name") == null) {
                error(at + ".header_name", "required field missing (limit_by is header)");
            }
            if ("path".equals(c.get("limit_by")) && c.get("path") == null) {
                error(at + ".path", "required field missing (limit_by is path)");
            }
            if ("cluster".equals(c.get("policy"))) {
                error(at + ".policy", "'cluster' policy needs a database; Kong DB-less supports 'local' and 'redis'");
            }
            if ("consumer-group".equals(c.get("limit_by"))) {
                gap(at + ".limit_by", "limit_by 'consumer-group' is not implemented by the local edge (needs real Kong)");
            }
            if (c.get("sync_rate") instanceof Number sync && sync.doubleValue() > -1 && sync.doubleValue() < 0) {
                gap(at + ".sync_rate", "sync_rate is -1 (count in Redis on every request) or a number of seconds >= 0 "
                        + "in the local edge");
            }
        }
        case "jwt" -> {
            Object max = c.get("maximum_expiration");
            if (max instanceof Number n && n.doubleValue() > 0) {
                Object claims = c.get("claims_to_verify");
                if (!(claims instanceof List<?> l) || !l.contains("exp")) {
                    error(at + ".claims_to_verify", "expected to contain: exp (maximum_expiration is set)");
                }
            }
        }
        case "ip-restriction" -> {
            if (!nonEmpty(c.get("allow")) && !nonEmpty(c.get("deny"))) {
                error(at, "at least one of these fields must be non-empty: 'config.allow', 'config.deny'");
            }
        }
        case "request-termination" -> {
            if (c.get("message") != null && (c.get("body") != null || c.get("content_type") != null)) {
                error(at + ".message", "message cannot be used with content_type or body");
            }
            if (c.get("content_type") != null && c.get("body") == null) {
                error(at + ".content_type", "content_type requires a body");
            }
        }
        case "opentelemetry" -> {
            Object headerType = c.get("header_type");
            if (headerType != null && !Set.of("preserve", "w3c", "ignore").contains(headerType)) {
                gap(at + ".header_type", "header_type '" + headerType + "' is not implemented by the local edge "
                        + "(it propagates W3C trace context)");
            }
            Object propagation = c.get("propagation");
            if (propagation instanceof Map<?, ?> prop) {
                for (String k : List.of("extract", "inject")) {
                    if (prop.get(k) instanceof List<?> l) {
                        for (Object f : l) {
                            if (!Set.of("w3c", "preserve", "ignore").contains(f)) {
                                gap(at + ".propagation." + k, "format '" + f + "' is not implemented by the local edge");
                            }
                        }
                    }
                }
                Object df = prop.get("default_format");
                if (df != null && !"w3c".equals(df)) {
                    gap(at + ".propagation.default_format", "only w3c is implemented by the local edge");
                }
            }
        }
        default -> {
        }
        }
    }

    private void checkUnique() {
        unique(services.stream().filter(s -> s.name() != null).map(s -> new Named(s.name(), s.at())).toList(), "services",
               "name");
        unique(services.stream().map(s -> new Named(s.id(), s.at())).toList(), "services", "id");
        unique(pendingRoutes.stream().filter(r -> r.fields().get("name") != null)
                       .map(r -> new Named((String) r.fields().get("name"), r.at())).toList(), "routes", "name");
        unique(pendingRoutes.stream().map(r -> new Named(r.id(), r.at())).toList(), "routes", "id");
        unique(consumers.stream().filter(c -> c.username() != null).map(c -> new Named(c.username(), c.at())).toList(),
               "consumers", "username");
        unique(consumers.stream().filter(c -> c.customId() != null).map(c -> new Named(c.customId(), c.at())).toList(),
               "consumers", "custom_id");
        unique(secrets.stream().filter(s -> s.fields().get("key") != null)
                       .map(s -> new Named((String) s.fields().get("key"), s.at())).toList(), "jwt_secrets", "key");
    }

    private void unique(List<Named> named, String entity, String field) {
        Map<String, String> seen = new HashMap<>();
        for (Named n : named) {
            String first = seen.putIfAbsent(n.value(), n.at());
            if (first != null) {
                error(n.at() + "." + field, "uniqueness violation: '" + entity + "' entity with " + field + " set to '"
                        + n.value() + "' already declared at " + first);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private List<Entities.Route> resolveRoutes() {
        List<Entities.Route> out = new ArrayList<>();
        for (PendingRoute r : pendingRoutes) {
            String serviceId = r.serviceId();
            if (serviceId == null && r.serviceRef() != null) {
                serviceId = services.stream()
                        .filter(s -> s.id().equals(r.serviceRef()) || r.serviceRef().equals(s.name()))
                        .map(Entities.Service::id).findFirst().orElse(null);
                if (serviceId == null) {
                    error(r.at() + ".service", "invalid reference 'service: " + r.serviceRef()
                            + "' (no such entry in 'services')");
                }
            }
            Map<String, Object> f = r.fields();
            out.add(new Entities.Route(r.at(), r.id(), (String) f.get("name"), serviceId,
                                       strings(f.get("protocols")), strings(f.get("methods")), strings(f.get("hosts")),
                                       strings(f.get("paths")), intOf(f.get("regex_priority")),
                                       !Boolean.FALSE.equals(f.get("strip_path")),
                                       Boolean.TRUE.equals(f.get("preserve_host")), f));
        }
        return List.copyOf(out);
    }

    private List<Entities.JwtSecret> resolveSecrets() {
        List<Entities.JwtSecret> out = new ArrayList<>();
        for (PendingSecret s : secrets) {
            String consumerId = s.consumerId();
            Object ref = s.fields().get("consumer");
            if (consumerId == null && ref != null) {
                consumerId = consumerId((String) ref, s.at() + ".consumer");
            }
            Map<String, Object> f = s.fields();
            out.add(new Entities.JwtSecret(s.at(), s.id(), (String) f.get("key"), (String) f.get("algorithm"),
                                           (String) f.get("rsa_public_key"), (String) f.get("secret"), consumerId));
        }
        return List.copyOf(out);
    }

    private List<Entities.Plugin> resolvePlugins() {
        List<Entities.Plugin> out = new ArrayList<>();
        Set<String> scopes = new HashSet<>();
        for (PendingPlugin p : plugins) {
            String serviceId = p.serviceId();
            String routeId = p.routeId();
            String consumerId = p.consumerId();
            Object sRef = p.fields().get("service");
            Object rRef = p.fields().get("route");
            Object cRef = p.fields().get("consumer");
            if (serviceId == null && sRef != null) {
                serviceId = services.stream().filter(s -> s.id().equals(sRef) || sRef.equals(s.name()))
                        .map(Entities.Service::id).findFirst().orElse(null);
                if (serviceId == null) {
                    error(p.at() + ".service", "invalid reference 'service: " + sRef + "' (no such entry in 'services')");
                }
            }
            if (routeId == null && rRef != null) {
                routeId = pendingRoutes.stream().filter(r -> r.id().equals(rRef) || rRef.equals(r.fields().get("name")))
                        .map(PendingRoute::id).findFirst().orElse(null);
                if (routeId == null) {
                    error(p.at() + ".route", "invalid reference 'route: " + rRef + "' (no such entry in 'routes')");
                }
            }
            if (consumerId == null && cRef != null) {
                consumerId = consumerId((String) cRef, p.at() + ".consumer");
            }
            if (consumerId != null) {
                gap(p.at() + ".consumer", "consumer-scoped plugins are not implemented by the local edge (needs real Kong)");
            }
            String scope = p.name() + "|" + serviceId + "|" + routeId + "|" + consumerId + "|"
                    + p.fields().get("instance_name");
            if (!scopes.add(scope)) {
                error(p.at() + ".name", "uniqueness violation: plugin '" + p.name() + "' is configured twice for the "
                        + "same service/route/consumer");
            }
            if ("jwt".equals(p.name()) && p.config().get("anonymous") instanceof String anonymous) {
                boolean exists = consumers.stream().anyMatch(c -> c.id().equals(anonymous)
                        || anonymous.equals(c.username()));
                if (!exists) {
                    error(p.at() + ".config.anonymous", "invalid reference 'consumer: " + anonymous
                            + "' (no such entry in 'consumers')");
                }
            }
            out.add(new Entities.Plugin(p.at(), p.id(), p.name(), !Boolean.FALSE.equals(p.fields().get("enabled")),
                                        serviceId, routeId, consumerId, strings(p.fields().get("protocols")), p.config(),
                                        p.fields()));
        }
        return List.copyOf(out);
    }

    private String consumerId(String ref, String at) {
        String id = consumers.stream().filter(c -> c.id().equals(ref) || ref.equals(c.username()))
                .map(Entities.Consumer::id).findFirst().orElse(null);
        if (id == null) {
            error(at, "invalid reference 'consumer: " + ref + "' (no such entry in 'consumers')");
        }
        return id;
    }

    // --- schema checking -------------------------------------------------------------------------------------------

    private Map<String, Object> record(Map<String, Object> raw, List<Field> fields, String at) {
        Map<String, Object> out = new LinkedHashMap<>();
        Set<String> known = new HashSet<>();
        for (Field f : fields) {
            known.add(f.name());
        }
        if (lenient) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : raw.entrySet()) {
                Object v = e.getValue();
                if (Set.of("service", "route", "consumer").contains(e.getKey()) && v instanceof Map<?, ?> ref) {
                    v = ref.get("id");
                }
                if (known.contains(e.getKey())) {
                    copy.put(e.getKey(), v);
                }
            }
            raw = copy;
        }
        for (String key : raw.keySet()) {
            if (!known.contains(key)) {
                error(join(at, key), "unknown field");
            }
        }
        for (Field f : fields) {
            String path = join(at, f.name());
            Object value = raw.get(f.name());
            if (value == null) {
                if (f.required()) {
                    error(path, "required field missing");
                }
                out.put(f.name(), f.type() instanceof FieldType.Rec rec && f.defaultValue() == null && !f.required()
                        ? record(Map.of(), rec.fields(), path) : f.defaultValue());
                continue;
            }
            Object normalized = value(value, f.type(), path);
            out.put(f.name(), normalized);
            if (f.edge() == Field.EdgeSupport.DEFAULT_ONLY && !Objects.equals(normalized, f.defaultValue())
                    && !isEmptyDefault(normalized, f.defaultValue())) {
                gap(path, "'" + f.name() + "' is not implemented by the local edge (needs real Kong); remove it or use "
                        + (f.defaultValue() == null ? "no value" : "'" + f.defaultValue() + "'"));
            }
        }
        return out;
    }

    private static boolean isEmptyDefault(Object value, Object def) {
        return def == null && value instanceof java.util.Collection<?> c && c.isEmpty()
                || def == null && value instanceof Map<?, ?> m && m.isEmpty();
    }

    @SuppressWarnings("unchecked")
    private Object value(Object value, FieldType type, String path) {
        switch (type) {
        case FieldType.Str s -> {
            if (!(value instanceof String str)) {
                error(path, "expected a string");
                return null;
            }
            if (!s.oneOf().isEmpty() && !s.oneOf().contains(str)) {
                error(path, "expected one of: " + String.join(", ", new java.util.TreeSet<>(s.oneOf())));
                return null;
            }
            if (s.check() != null) {
                String problem = s.check().apply(str);
                if (problem != null) {
                    error(path, problem);
                    return null;
                }
            }
            return str;
        }
        case FieldType.Int i -> {
            Long n = null;
            if (value instanceof Long l) {
                n = l;
            } else if (value instanceof Double d && d == Math.rint(d)) {
                n = d.longValue();
            } else if (value instanceof String str && i.equals(new FieldType.Int(100, 599)) && str.matches("\\d+")) {
                n = Long.parseLong(str);
            }
            if (n == null) {
                error(path, "expected an integer");
                return null;
            }
            if (n < i.min() || n > i.max()) {
                error(path, "value should be between " + i.min() + " and " + i.max());
                return null;
            }
            return n;
        }
        case FieldType.Num num -> {
            if (!(value instanceof Number n)) {
                error(path, "expected a number");
                return null;
            }
            double d = n.doubleValue();
            if (num.gt() != null && d <= num.gt()) {
                error(path, "value must be greater than " + trim(num.gt()));
                return null;
            }
            if (num.min() != null && num.max() != null && (d < num.min() || d > num.max())) {
                error(path, "value should be between " + trim(num.min()) + " and " + trim(num.max()));
                return null;
            }
            if (num.min() != null && d < num.min()) {
                error(path, "value must be at least " + trim(num.min()));
                return null;
            }
            return d;
        }
        case FieldType.Bool b -> {
            if (!(value instanceof Boolean)) {
                error(path, "expected a boolean");
                return null;
            }
            return value;
        }
        case FieldType.Array a -> {
            if (!(value instanceof List<?> list)) {
                error(path, a.set() ? "expected a set" : "expected an array");
                return null;
            }
            List<Object> out = new ArrayList<>();
            for (int k = 0; k < list.size(); k++) {
                Object element = value(list.get(k), a.element(), path + "[" + k + "]");
                if (element != null) {
                    out.add(element);
                }
            }
            return a.set() ? new ArrayList<>(new LinkedHashSet<>(out)) : out;
        }
        case FieldType.MapOf m -> {
            if (!(value instanceof Map<?, ?> map)) {
                error(path, "expected a map");
                return null;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(String.valueOf(e.getKey()), value(e.getValue(), m.value(), path + "." + e.getKey()));
            }
            return out;
        }
        case FieldType.Rec r -> {
            if (!(value instanceof Map<?, ?> map)) {
                error(path, "expected a record");
                return null;
            }
            return record((Map<String, Object>) map, r.fields(), path);
        }
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private List<Item> items(Map<String, Object> root, String key, String prefix) {
        return nested(root.get(key), join(prefix, key));
    }

    @SuppressWarnings("unchecked")
    private List<Item> nested(Object value, String at) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            error(at, "expected an array");
            return List.of();
        }
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = at + "[" + i + "]";
            if (list.get(i) instanceof Map<?, ?> m) {
                out.add(new Item(path, (Map<String, Object>) m));
            } else {
                error(path, "expected a record");
            }
        }
        return out;
    }

    private String id(Map<String, Object> fields, String kind, String at) {
        Object id = fields.get("id");
        if (id instanceof String s) {
            if (!UUID_PATTERN.matcher(s).matches()) {
                error(at + ".id", "expected a valid UUID");
            }
            return s;
        }
        Object name = fields.get("name");
        if ("plugin".equals(kind)) {
            return derived(kind, at + "|" + name);
        }
        return derived(kind, name == null ? at : (String) name);
    }

    /**
     * The id an entity without one gets: stable across loads and edges, so counters keyed by route id (rate limits in
     * Redis) are shared by every edge that loads the same file.
     *
     * @param kind entity kind
     * @param key  name (or path for unnamed entities)
     * @return uuid
     */
    public static String derived(String kind, String key) {
        return UUID.nameUUIDFromBytes((kind + ":" + key).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static boolean nonEmpty(Object value) {
        return value instanceof java.util.Collection<?> c && !c.isEmpty() || value instanceof Map<?, ?> m && !m.isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return value == null ? List.of() : List.copyOf((List<String>) value);
    }

    private static int intOf(Object value) {
        return value == null ? 0 : ((Number) value).intValue();
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String join(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }

    private void error(String path, String message) {
        errors.add(new ConfigError(path, doc.lineOf(path), message));
    }

    private void gap(String path, String message) {
        edgeGaps.add(new ConfigError(path, doc.lineOf(path), message));
    }

    private record Item(String path, Map<String, Object> map) {
    }

    private record Named(String value, String at) {
    }

    private record PendingRoute(String at, String id, Map<String, Object> fields, String serviceId, String serviceRef,
                                int line) {
    }

    private record PendingSecret(String at, String id, Map<String, Object> fields, String consumerId) {
    }

    private record PendingPlugin(String at, String id, String name, Map<String, Object> fields, Map<String, Object> config,
                                 String serviceId, String routeId, String consumerId) {
    }
}
