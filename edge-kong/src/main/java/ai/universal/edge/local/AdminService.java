package ai.universal.edge.local;

import java.util.List;
import java.util.Map;

import ai.universal.edge.config.ConfigError;
import ai.universal.edge.plugins.Json;

import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The local edge's admin port (127.0.0.1 only), a subset of Kong's admin and status APIs.
 * <ul>
 *     <li>{@code GET /metrics}: Prometheus text</li>
 *     <li>{@code GET /status}: {@code {"database":{"reachable":true},"configuration_hash":"..."}}</li>
 *     <li>{@code GET /status/ready}: 200 {@code {"message":"ready"}}</li>
 *     <li>{@code GET /config}: {@code {"config":"<yaml>"}}</li>
 *     <li>{@code POST /config[?check_hash=1]}: body {@code {"config":"<yaml>"}} or the YAML itself; 201, 304 when the
 *     hash is unchanged, 400 with {@code flattened_errors}, 429 while another load runs</li>
 *     <li>{@code POST /reload}: read kong.yml again; 200 or 400 with the errors</li>
 * </ul>
 */
final class AdminService implements HttpService {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern ENTITY =
            java.util.regex.Pattern.compile("(services|routes|plugins|consumers|jwt_secrets)\\[\\d+]");
    private final LocalEdge edge;

    AdminService(LocalEdge edge) {
        this.edge = edge;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", this::metrics)
                .get("/status", this::status)
                .get("/status/ready", this::ready)
                .get("/config", this::getConfig)
                .post("/config", this::postConfig)
                .post("/reload", this::reload);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderValues.create("Content-Type", "text/plain; version=0.0.4; charset=utf-8"));
        res.send(edge.metrics().scrape());
    }

    private void status(ServerRequest req, ServerResponse res) {
        json(res, 200, "{\"database\":{\"reachable\":true},\"configuration_hash\":" + Json.quote(edge.configurationHash())
                + "}");
    }

    private void ready(ServerRequest req, ServerResponse res) {
        json(res, 200, "{\"message\":\"ready\"}");
    }

    private void getConfig(ServerRequest req, ServerResponse res) {
        json(res, 200, "{\"config\":" + Json.quote(edge.config().text()) + "}");
    }

    private void postConfig(ServerRequest req, ServerResponse res) {
        if (edge.reloading()) {
            res.header(HeaderValues.create("Retry-After", "1"));
            json(res, 429, "{\"message\":\"Currently loading previous configuration\"}");
            return;
        }
        String body = req.content().as(String.class);
        String text = body;
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject() && node.has("config")) {
                text = node.get("config").isTextual() ? node.get("config").asText() : JSON.writeValueAsString(node.get("config"));
            }
        } catch (Exception e) {
            text = body;
        }
        boolean checkHash = req.query().first("check_hash").map("1"::equals).orElse(false);
        LocalEdge.ReloadResult result = edge.apply(text, checkHash);
        if (result.applied()) {
            json(res, 201, "{\"configuration_hash\":" + Json.quote(result.hash()) + "}");
        } else if (result.errors().isEmpty()) {
            res.status(Status.NOT_MODIFIED_304).send();
        } else {
            json(res, 400, errorBody(result.errors()));
        }
    }

    private void reload(ServerRequest req, ServerResponse res) {
        LocalEdge.ReloadResult result = edge.reload();
        if (result.applied()) {
            json(res, 200, "{\"message\":\"reloaded\",\"configuration_hash\":" + Json.quote(result.hash()) + "}");
        } else {
            json(res, 400, errorBody(result.errors()));
        }
    }

    /**
     * Kong's 400 body for an invalid declarative config, with {@code flattened_errors}: one entry per entity, each
     * error with its field.
     *
     * @param errors errors
     * @return JSON
     */
    static String errorBody(List<ConfigError> errors) {
        StringBuilder flat = new StringBuilder();
        StringBuilder fields = new StringBuilder();
        for (ConfigError e : errors) {
            String[] split = splitEntity(e.path());
            if (!flat.isEmpty()) {
                flat.append(',');
                fields.append(',');
            }
            flat.append("{\"entity_type\":").append(Json.quote(split[0])).append(",\"entity_path\":")
                    .append(Json.quote(split[1])).append(",\"errors\":[{\"field\":").append(Json.quote(split[2]))
                    .append(",\"type\":\"field\",\"message\":").append(Json.quote(e.message())).append("}]}");
            fields.append(Json.quote(e.path().isEmpty() ? "@entity" : e.path())).append(':').append(Json.quote(e.message()));
        }
        return "{\"code\":14,\"name\":\"invalid declarative configuration\",\"message\":"
                + Json.quote("declarative config is invalid: " + errors.size() + " error(s)")
                + ",\"fields\":{" + fields + "},\"flattened_errors\":[" + flat + "]}";
    }

    private static String[] splitEntity(String path) {
        // services[0].routes[1].paths[0] -> entity "route" at services[0].routes[1], field paths[0]
        String entityPath = "";
        String type = "config";
        int cut = -1;
        java.util.regex.Matcher m = ENTITY.matcher(path);
        while (m.find()) {
            cut = m.end();
            entityPath = path.substring(0, m.end());
            type = Map.of("services", "service", "routes", "route", "plugins", "plugin", "consumers", "consumer",
                          "jwt_secrets", "jwt_secret").getOrDefault(m.group(1), m.group(1));
            if (path.startsWith(".config", m.end())) {
                break;
            }
        }
        String field = cut < 0 ? path : path.substring(cut).replaceFirst("^\\.", "");
        return new String[] {type, entityPath, field};
    }

    private static void json(ServerResponse res, int status, String body) {
        res.status(Status.create(status));
        res.header(HeaderValues.create("Content-Type", "application/json; charset=utf-8"));
        res.send(body);
    }
}
