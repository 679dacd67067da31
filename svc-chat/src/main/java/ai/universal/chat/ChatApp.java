package ai.universal.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceClient;
import ai.universal.kit.ServiceContext;
import ai.universal.kit.Settings;
import ai.universal.kit.http.Access;
import ai.universal.kit.http.ErrorStyle;
import ai.universal.kit.observe.Health;

import io.helidon.webserver.http.HttpRules;

/**
 * svc-chat, the LLM gateway (port 8016): {@link ChatService} (OpenAI-compatible chat completions and models),
 * {@link ConversationService} (/v1/conversations) and {@link AnalyticsService} (/v1/analytics). PostgreSQL schema
 * {@code chat} (conversations, messages, completions), Redis for per-user limits. Readiness details list every
 * deployment's circuit state and whether model discovery reaches its endpoints.
 */
public final class ChatApp implements ServiceApp {

    @Override
    public String name() {
        return "svc-chat";
    }

    @Override
    public String key() {
        return "chat";
    }

    @Override
    public int defaultPort() {
        return 8016;
    }

    @Override
    public boolean usesDatabase() {
        return true;
    }

    @Override
    public boolean usesRedis() {
        return true;
    }

    @Override
    public Map<String, ErrorStyle> errorStyles() {
        return Map.of("/v1/chat/completions", ErrorStyle.OPENAI, "/v1/models", ErrorStyle.OPENAI);
    }

    @Override
    public long maxPayloadBytes() {
        return 32L << 20;
    }

    @Override
    public void setUp(ServiceContext ctx, HttpRules rules) {
        Settings s = ctx.settings();
        UpstreamHttp http = new UpstreamHttp(s.duration("CHAT_CONNECT_TIMEOUT", "chat.connect-timeout", Duration.ofSeconds(5)));
        ctx.onClose(http);
        ModelCatalog catalog = ModelCatalog.load(name -> s.optional(name, null).orElse(null), http);
        ctx.onClose(catalog);
        GatewayMetrics metrics = new GatewayMetrics(ctx.clock());
        Router router = new Router(ctx.clock(),
                                   s.integer("CHAT_RETRIES", "chat.retries", 1),
                                   s.duration("CHAT_RETRY_BACKOFF", "chat.retry-backoff", Duration.ofMillis(200)),
                                   s.integer("CHAT_COOLDOWN_FAILURES", "chat.cooldown-failures", 3),
                                   s.duration("CHAT_COOLDOWN", "chat.cooldown", Duration.ofSeconds(30)),
                                   metrics::register);
        UserLimits limits = new UserLimits(ctx.redis().client(), ctx.redis()::key,
                                           s.integer("CHAT_USER_RPM", "chat.user-rpm", 60),
                                           s.integer("CHAT_USER_TOKENS_PER_DAY", "chat.user-tokens-per-day", 1_000_000),
                                           ctx.clock());
        ctx.onClose(limits);
        Conversations conversations = new Conversations(ctx.database().dataSource(), ctx.clock());
        CompletionLog log = new CompletionLog(ctx.database().dataSource(),
                                              s.integer("CHAT_ANALYTICS_QUEUE", "chat.analytics-queue", 10_000));
        ctx.onClose(log);
        String memoryUrl = s.string("MEMORY_SERVICE_URL", null, "http://127.0.0.1:8017");
        ServiceClient memoryClient = s.optional("CHAT_MEMORY_TIMEOUT", "chat.memory-timeout").isPresent()
                ? new ServiceClient(memoryUrl, s.duration("CHAT_MEMORY_TIMEOUT", "chat.memory-timeout", Duration.ofSeconds(2)),
                                    0, Duration.ofMillis(50))
                : ctx.client("MEMORY_SERVICE_URL", "http://127.0.0.1:8017");
        ChatGateway gateway = new ChatGateway(catalog, router, http, limits, conversations, log,
                                              new MemoryLookup(memoryClient), ctx.clock());
        ctx.health().add("upstreams", () -> new Health.Result(true, upstreams(catalog, router)));
        Access access = ctx.access();
        rules.register(new ChatService(gateway, catalog, access, ctx.clock().instant().getEpochSecond()),
                       new ConversationService(conversations, access),
                       new AnalyticsService(new Analytics(ctx.database().dataSource()), access, ctx.clock()));
    }

    private static String upstreams(ModelCatalog catalog, Router router) {
        if (catalog.nothingConfigured()) {
            return ModelCatalog.HOW_TO_CONFIGURE;
        }
        List<String> parts = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ModelAlias alias : catalog.all()) {
            for (Deployment d : alias.deployments()) {
                if (seen.add(d.id())) {
                    DeploymentHealth h = router.health(d);
                    parts.add(d.id() + "=" + h.state(router.clock().instant()).name().toLowerCase() + " (in flight "
                                      + h.inFlight() + ", errors " + h.errors() + "/" + h.requests() + ")");
                }
            }
        }
        catalog.discoveryStatus().forEach((endpoint, up) -> parts.add("discovery " + endpoint + "="
                                                                              + (up ? "reachable" : "unreachable")));
        return parts.isEmpty() ? "no models" : String.join("; ", parts);
    }
}
