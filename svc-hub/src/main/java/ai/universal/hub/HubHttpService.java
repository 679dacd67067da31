package ai.universal.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import ai.universal.kit.auth.Principal;
import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.ProblemException;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The hub's HTTP API (the WebSocket endpoint {@code /v1/hub/ws} is registered separately):
 * <pre>
 * POST /v1/hub/publish               roles admin|service  {"channel":"room:x","data":{…}} or {"channels":[…],"data":{…}}
 *                                                         → {"results":[{"channel","offset","epoch"}]}
 * GET  /v1/hub/presence/{channel}    hub:read + channel   → {"channel","users":[{"user","connections"}],"connections"}
 * GET  /v1/hub/history/{channel}     hub:read + channel   ?limit=100 | ?since=41&amp;epoch=…
 *                                                         → {"channel","epoch","offset","recovered"?,"messages":[…]}
 * </pre>
 */
final class HubHttpService implements HttpService {
    private static final int MAX_BROADCAST = 1000;

    private final Hub hub;
    private final Access access;

    HubHttpService(Hub hub, Access access) {
        this.hub = hub;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/hub/publish", access.authenticated(this::publish))
                .get("/v1/hub/presence/{channel}", access.authenticated(this::presence))
                .get("/v1/hub/history/{channel}", access.authenticated(this::history));
    }

    private void publish(ServerRequest req, ServerResponse res) {
        Principal who = access.principal(req);
        if (!hub.policy().privileged(who)) {
            throw ProblemException.forbidden("Publishing through the API needs the role 'admin' or 'service'");
        }
        JsonNode body = Json.tree(req);
        if (!body.isObject()) {
            throw ProblemException.badRequest("Send a JSON object {\"channel\":…,\"data\":…}");
        }
        List<Channel> channels = new ArrayList<>();
        JsonNode one = body.get("channel");
        JsonNode many = body.get("channels");
        if ((one == null) == (many == null)) {
            throw ProblemException.invalid("channel", "send either 'channel' or 'channels'");
        }
        if (one != null) {
            channels.add(channel("channel", one));
        } else {
            if (!many.isArray() || many.isEmpty() || many.size() > MAX_BROADCAST) {
                throw ProblemException.invalid("channels", "'channels' must be an array of 1-" + MAX_BROADCAST
                        + " channel names");
            }
            for (int i = 0; i < many.size(); i++) {
                channels.add(channel("channels[" + i + "]", many.get(i)));
            }
        }
        JsonNode data = body.get("data");
        if (data == null) {
            throw ProblemException.invalid("data", "'data' is required");
        }
        String json = data.toString();
        ObjectNode answer = Frames.MAPPER.createObjectNode();
        ArrayNode results = answer.putArray("results");
        for (Channel channel : channels) {
            Hub.Published p;
            try {
                p = hub.publish(channel, json, who.subject());
            } catch (HubException e) {
                throw problem(e);
            }
            ObjectNode r = results.addObject().put("channel", p.channel());
            if (p.epoch() != null) {
                r.put("offset", p.offset());
                r.put("epoch", p.epoch());
            }
            if (p.local()) {
                r.put("local", true);
            }
        }
        send(res, answer);
    }

    private void presence(ServerRequest req, ServerResponse res) {
        Channel channel = pathChannel(req);
        try {
            hub.policy().checkRead(access.principal(req), channel);
            send(res, hub.presence(channel));
        } catch (HubException e) {
            throw problem(e);
        }
    }

    private void history(ServerRequest req, ServerResponse res) {
        Channel channel = pathChannel(req);
        var query = req.query();
        int limit = integer(query.first("limit").asOptional(), "limit", 100);
        if (limit < 1 || limit > 1000) {
            throw ProblemException.invalid("limit", "'limit' must be 1-1000");
        }
        Optional<String> since = query.first("since").asOptional();
        Optional<String> epoch = query.first("epoch").asOptional();
        if (since.isPresent() != epoch.isPresent()) {
            throw ProblemException.invalid(since.isPresent() ? "epoch" : "since", "'since' and 'epoch' go together");
        }
        ClientFrame.Since position = null;
        if (since.isPresent()) {
            long offset = integer(since, "since", 0);
            if (offset < 0) {
                throw ProblemException.invalid("since", "'since' must be a non-negative integer");
            }
            position = new ClientFrame.Since(offset, epoch.get());
        }
        try {
            hub.policy().checkRead(access.principal(req), channel);
            send(res, hub.history(channel, position, limit));
        } catch (HubException e) {
            throw problem(e);
        }
    }

    private static Channel pathChannel(ServerRequest req) {
        try {
            return Channel.parse(req.path().pathParameters().get("channel"));
        } catch (HubException e) {
            throw ProblemException.invalid("channel", e.getMessage());
        }
    }

    private static Channel channel(String field, JsonNode node) {
        if (!node.isTextual()) {
            throw ProblemException.invalid(field, "a channel name is a string");
        }
        try {
            return Channel.parse(node.asText());
        } catch (HubException e) {
            throw ProblemException.invalid(field, e.getMessage());
        }
    }

    private static int integer(Optional<String> value, String field, int defaultValue) {
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.get());
        } catch (NumberFormatException e) {
            throw ProblemException.invalid(field, "'" + field + "' must be an integer");
        }
    }

    private static ProblemException problem(HubException e) {
        return switch (e.code()) {
        case "forbidden" -> ProblemException.forbidden(e.getMessage());
        case "history_disabled" -> ProblemException.conflict(e.code(), e.getMessage());
        case "unavailable" -> ProblemException.of(503, e.code(), "Service Unavailable", e.getMessage())
                .withHeader("Retry-After", "1");
        default -> ProblemException.invalid("channel", e.getMessage());
        };
    }

    private static void send(ServerResponse res, JsonNode body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send(body.toString());
    }
}
