package ai.universal.edge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.universal.edge.config.ConfigError;
import ai.universal.edge.config.ConfigException;
import ai.universal.edge.config.DeclarativeValidator;
import ai.universal.edge.config.Entities;
import ai.universal.edge.config.KongConfig;
import ai.universal.edge.config.KongRenderer;
import ai.universal.edge.config.YamlDocument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Test scaffolding for Kong, which cannot run here: an HTTP server answering as Kong 3.9's admin API documents for
 * DB-less mode. {@code POST /config} (201 with the loaded entities, 304 on {@code check_hash=1} with an unchanged
 * hash, 400 {@code {"code":14,"name":"invalid declarative configuration",...,"flattened_errors":[...]}} with
 * {@code flatten_errors=1}, 429 {@code Currently loading previous configuration} with {@code Retry-After}),
 * {@code GET /config} (the loaded config exported with ids, defaults and timestamps, as Kong exports it),
 * {@code GET /status} (with {@code configuration_hash}) and {@code GET /status/ready} (503 until a config is loaded).
 */
public final class FakeKongAdmin implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMPTY_HASH = "00000000000000000000000000000000";

    private final HttpServer server;
    private final Deque<Integer> busyAnswers = new ArrayDeque<>();
    private final List<String> requests = new ArrayList<>();
    private volatile String hash = EMPTY_HASH;
    private volatile KongConfig loaded;

    /**
     * Start on a free port.
     *
     * @throws IOException when it cannot bind
     */
    public FakeKongAdmin() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** @return admin URL */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Answer the next {@code times} POSTs with 429 (a reload in progress).
     *
     * @param times how many
     */
    public synchronized void busyFor(int times) {
        for (int i = 0; i < times; i++) {
            busyAnswers.add(429);
        }
    }

    /** @return requests seen ("POST /config?...") */
    public synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    /** @return hash of the loaded config */
    public String hash() {
        return hash;
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
        synchronized (this) {
            requests.add(method + " " + path + (query.isEmpty() ? "" : "?" + query));
        }
        try (ex) {
            if (method.equals("POST") && path.equals("/config")) {
                postConfig(ex, query);
            } else if (method.equals("GET") && path.equals("/config")) {
                String yaml = loaded == null ? "_format_version: \"3.0\"\n_transform: false\n" : export(loaded);
                send(ex, 200, JSON.writeValueAsString(Map.of("config", yaml)));
            } else if (method.equals("GET") && path.equals("/status")) {
                send(ex, 200, "{\"database\":{\"reachable\":true},\"memory\":{\"workers_lua_vms\":[]},\"server\":"
                        + "{\"connections_accepted\":1,\"connections_active\":1,\"connections_handled\":1,"
                        + "\"connections_reading\":0,\"connections_waiting\":0,\"connections_writing\":1,"
                        + "\"total_requests\":1},\"configuration_hash\":\"" + hash + "\"}");
            } else if (method.equals("GET") && path.equals("/status/ready")) {
                if (loaded == null) {
                    send(ex, 503, "{\"message\":\"no configuration available (empty configuration present)\"}");
                } else {
                    send(ex, 200, "{\"message\":\"ready\"}");
                }
            } else {
                send(ex, 404, "{\"message\":\"Not found\"}");
            }
        }
    }

    private void postConfig(HttpExchange ex, String query) throws IOException {
        Integer busy;
        synchronized (this) {
            busy = busyAnswers.poll();
        }
        if (busy != null) {
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 429, "{\"message\":\"Currently loading previous configuration\"}");
            return;
        }
        String body;
        try (InputStream in = ex.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JsonNode node = JSON.readTree(body);
        String config = node.path("config").asText();
        boolean checkHash = query.contains("check_hash=1");
        boolean flatten = query.contains("flatten_errors=1");
        KongConfig parsed;
        try {
            parsed = DeclarativeValidator.validate(YamlDocument.parse(config), config);
        } catch (ConfigException e) {
            send(ex, 400, invalid(e.errors(), flatten));
            return;
        }
        String newHash = md5(config);
        if (checkHash && newHash.equals(hash)) {
            ex.sendResponseHeaders(304, -1);
            return;
        }
        loaded = parsed;
        hash = newHash;
        send(ex, 201, JSON.writeValueAsString(parsed.document().root()));
    }

    private static String invalid(List<ConfigError> errors, boolean flatten) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", 14);
        body.put("name", "invalid declarative configuration");
        Map<String, Object> fields = new LinkedHashMap<>();
        errors.forEach(e -> fields.put(e.path(), e.message()));
        body.put("message", "declarative config is invalid: " + fields);
        body.put("fields", flatten ? Map.of() : fields);
        if (flatten) {
            List<Map<String, Object>> flattened = new ArrayList<>();
            for (ConfigError e : errors) {
                String path = e.path();
                int dot = path.indexOf("].");
                String entity = dot < 0 ? path : path.substring(0, dot + 1);
                String field = dot < 0 ? "" : path.substring(dot + 2);
                String type = entity.startsWith("services") ? "service" : entity.startsWith("routes") ? "route"
                        : entity.startsWith("plugins") ? "plugin" : "consumer";
                flattened.add(Map.of("entity_type", type, "entity_name", entity, "entity_tags", List.of(),
                                     "errors", List.of(Map.of("field", field, "message", e.message(), "type", "field"))));
            }
            body.put("flattened_errors", flattened);
        }
        return JSON.writeValueAsString(body);
    }

    /**
     * The config as Kong's GET /config exports it: flat entity lists with ids, every default written out, foreign keys
     * as {@code {id: ...}}, timestamps.
     */
    private static String export(KongConfig c) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("_format_version", "3.0");
        root.put("_transform", false);
        List<Object> services = new ArrayList<>();
        for (Entities.Service s : c.services()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("name", s.name());
            m.put("protocol", s.protocol());
            m.put("host", s.host());
            m.put("port", s.port());
            m.put("path", s.basePath());
            m.put("retries", s.retries());
            m.put("connect_timeout", s.connectTimeout());
            m.put("write_timeout", s.writeTimeout());
            m.put("read_timeout", s.readTimeout());
            m.put("enabled", s.enabled());
            m.put("created_at", 1764000000);
            m.put("updated_at", 1764000000);
            services.add(m);
        }
        root.put("services", services);
        List<Object> routes = new ArrayList<>();
        for (Entities.Route r : c.routes()) {
            Map<String, Object> m = new LinkedHashMap<>(r.fields());
            m.put("id", r.id());
            m.put("service", Map.of("id", r.serviceId()));
            m.put("created_at", 1764000000);
            m.values().removeIf(java.util.Objects::isNull);
            routes.add(m);
        }
        root.put("routes", routes);
        List<Object> consumers = new ArrayList<>();
        for (Entities.Consumer cons : c.consumers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", cons.id());
            if (cons.username() != null) {
                m.put("username", cons.username());
            }
            if (cons.customId() != null) {
                m.put("custom_id", cons.customId());
            }
            consumers.add(m);
        }
        root.put("consumers", consumers);
        List<Object> secrets = new ArrayList<>();
        for (Entities.JwtSecret s : c.jwtSecrets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("key", s.key());
            m.put("algorithm", s.algorithm());
            m.put("rsa_public_key", s.rsaPublicKey());
            m.put("consumer", Map.of("id", s.consumerId()));
            secrets.add(m);
        }
        root.put("jwt_secrets", secrets);
        List<Object> plugins = new ArrayList<>();
        for (Entities.Plugin p : c.plugins()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id());
            m.put("name", p.name());
            m.put("enabled", p.enabled());
            m.put("protocols", p.protocols());
            m.put("config", p.config());
            if (p.routeId() != null) {
                m.put("route", Map.of("id", p.routeId()));
            }
            if (p.serviceId() != null) {
                m.put("service", Map.of("id", p.serviceId()));
            }
            m.put("created_at", 1764000000);
            plugins.add(m);
        }
        root.put("plugins", plugins);
        return KongRenderer.dump(root);
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
