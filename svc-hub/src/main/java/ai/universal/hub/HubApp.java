package ai.universal.hub;

import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceContext;
import ai.universal.kit.observe.Health;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.websocket.WsRouting;

/**
 * svc-hub on the kit: port 8018, Redis for fan-out, history and presence. Endpoints: {@code /v1/hub/ws} (WebSocket,
 * see {@link HubSocket}), and the HTTP API of {@link HubHttpService}. Readiness adds {@code fanout}: down while this
 * node's pub/sub connection to Redis is lost (it keeps serving its own subscribers meanwhile).
 */
public final class HubApp implements ServiceApp {
    private volatile Hub hub;

    @Override
    public String name() {
        return "svc-hub";
    }

    @Override
    public String key() {
        return "hub";
    }

    @Override
    public int defaultPort() {
        return 8018;
    }

    @Override
    public boolean usesRedis() {
        return true;
    }

    @Override
    public void setUp(ServiceContext ctx, HttpRules rules) {
        HubSettings settings = HubSettings.from(ctx.settings());
        Hub created = new Hub(settings, ctx.clock(), ctx.authenticator(), ctx.redis().client(), ctx.redis().key(""));
        created.start();
        ctx.onClose(created);
        ctx.beforeStop(created::shutdown);
        ctx.health().add("fanout", () -> created.fanoutConnected() ? Health.Result.ok()
                : Health.Result.down("Redis pub/sub not connected; serving local subscribers only"));
        rules.register(new HubHttpService(created, ctx.access()));
        hub = created;
    }

    @Override
    public void webSocket(ServiceContext ctx, WsRouting.Builder routing) {
        Hub current = hub;
        routing.endpoint("/v1/hub/ws", () -> new HubSocket(current));
    }
}
