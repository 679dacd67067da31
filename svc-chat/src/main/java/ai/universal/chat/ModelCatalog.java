package ai.universal.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The model aliases clients can ask for, from three sources merged in this order (the first to name an alias wins):
 * <ol>
 *     <li>the models file ({@code CHAT_CONFIG}, YAML or JSON): aliases with deployments, strategy and fallbacks</li>
 *     <li>the environment: {@code OPENAI_API_KEY} (+ {@code OPENAI_MODELS}), {@code ANTHROPIC_API_KEY}
 *     (+ {@code ANTHROPIC_MODELS}), {@code OPENAI_COMPATIBLE_BASE_URL} (+ {@code OPENAI_COMPATIBLE_MODELS}, else the
 *     server's {@code /models})</li>
 *     <li>discovery: every model {@code LOCAL_LLM_ENDPOINT} (Ollama) reports in {@code /api/tags}, under its Ollama
 *     name, refreshed every {@code CHAT_DISCOVERY_INTERVAL}</li>
 * </ol>
 * Models file:
 * <pre>
 * models:
 *   smart:
 *     strategy: priority            # priority | weighted | least-in-flight | lowest-latency
 *     fallbacks: [fast]
 *     context-window-fallbacks: [long]
 *     deployments:
 *       - provider: anthropic        # ollama | openai | anthropic | openai-compatible
 *         model: claude-sonnet-4-5
 *         api-key-env: ANTHROPIC_API_KEY
 *         priority: 0
 *         weight: 1
 *         rpm: 0
 *         tpm: 0
 *         timeout: 120s
 *         context-window: 200000
 *       - provider: openai-compatible
 *         base-url: http://127.0.0.1:8000/v1
 *         model: Qwen/Qwen2.5-7B-Instruct
 * </pre>
 */
final class ModelCatalog implements AutoCloseable {
    static final String HOW_TO_CONFIGURE = "No LLM provider is configured. Set LOCAL_LLM_ENDPOINT (an Ollama server, e.g. "
            + "http://127.0.0.1:11434), OPENAI_API_KEY, ANTHROPIC_API_KEY or OPENAI_COMPATIBLE_BASE_URL (vLLM, llama.cpp, "
            + "LM Studio), or point CHAT_CONFIG at a models file.";
    private static final System.Logger LOGGER = System.getLogger(ModelCatalog.class.getName());
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, ModelAlias> configured;
    private final List<Provider> discoverable;
    private final Map<Provider, List<String>> discovered = new ConcurrentHashMap<>();
    private final Map<Provider, Boolean> reachable = new ConcurrentHashMap<>();
    private final AtomicReference<Map<String, ModelAlias>> aliases = new AtomicReference<>(Map.of());
    private final AtomicReference<List<String>> aliasOrder = new AtomicReference<>(List.of());
    private final UpstreamHttp http;
    private final Duration timeout;
    private final ScheduledExecutorService refresher;

    private ModelCatalog(Map<String, ModelAlias> configured, List<Provider> discoverable, UpstreamHttp http, Duration timeout,
                         Duration discoveryInterval) {
        this.configured = configured;
        this.discoverable = discoverable;
        this.http = http;
        this.timeout = timeout;
        refresh();
        if (discoverable.isEmpty() || discoveryInterval.isZero()) {
            refresher = null;
        } else {
            refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("chat-discovery")
                                                                           .factory());
            refresher.scheduleWithFixedDelay(this::refresh, discoveryInterval.toMillis(), discoveryInterval.toMillis(),
                                             TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Build from settings.
     *
     * @param setting lookup of a setting by its environment name (null when unset)
     * @param http    client for discovery
     * @return catalog (discovery already ran once)
     */
    static ModelCatalog load(Function<String, String> setting, UpstreamHttp http) {
        Duration timeout = duration(setting, "CHAT_UPSTREAM_TIMEOUT", Duration.ofSeconds(120));
        Duration discoveryTimeout = duration(setting, "CHAT_DISCOVERY_TIMEOUT", Duration.ofSeconds(3));
        Map<String, ModelAlias> configured = new LinkedHashMap<>();
        String file = setting.apply("CHAT_CONFIG");
        if (file != null) {
            configured.putAll(readFile(Path.of(file), setting, timeout));
        }
        List<Provider> discoverable = new ArrayList<>();
        String openAiKey = setting.apply("OPENAI_API_KEY");
        if (openAiKey != null) {
            Provider p = new Provider.OpenAi(trim(or(setting.apply("OPENAI_BASE_URL"), "https://api.openai.com/v1")), openAiKey);
            addEnvAliases(configured, p, or(setting.apply("OPENAI_MODELS"), "gpt-4o-mini,gpt-4o,gpt-4.1,gpt-4.1-mini,o4-mini"),
                          timeout);
        }
        String anthropicKey = setting.apply("ANTHROPIC_API_KEY");
        if (anthropicKey != null) {
            Provider p = anthropic(setting, or(setting.apply("ANTHROPIC_BASE_URL"), "https://api.anthropic.com"), anthropicKey);
            addEnvAliases(configured, p, or(setting.apply("ANTHROPIC_MODELS"),
                                            "claude-sonnet-4-5,claude-haiku-4-5,claude-opus-4-1"), timeout);
        }
        String compatibleUrl = setting.apply("OPENAI_COMPATIBLE_BASE_URL");
        if (compatibleUrl != null) {
            Provider p = new Provider.OpenAiCompatible(trim(compatibleUrl), setting.apply("OPENAI_COMPATIBLE_API_KEY"));
            String models = setting.apply("OPENAI_COMPATIBLE_MODELS");
            if (models != null) {
                addEnvAliases(configured, p, models, timeout);
            } else {
                discoverable.add(p);
            }
        }
        String ollama = setting.apply("LOCAL_LLM_ENDPOINT");
        if (ollama != null) {
            discoverable.add(new Provider.Ollama(ollamaBase(ollama)));
        }
        return new ModelCatalog(Map.copyOf(configured), List.copyOf(discoverable), http, discoveryTimeout,
                                duration(setting, "CHAT_DISCOVERY_INTERVAL", Duration.ofSeconds(60)));
    }

    /**
     * An alias by name.
     *
     * @param name alias
     * @return alias
     */
    Optional<ModelAlias> find(String name) {
        return Optional.ofNullable(aliases.get().get(name));
    }

    /**
     * Every alias, configured ones first.
     *
     * @return aliases
     */
    Collection<ModelAlias> all() {
        return aliases.get().values();
    }

    /**
     * Whether any provider is configured at all (a configured Ollama that is down still counts).
     *
     * @return true when nothing is configured
     */
    boolean nothingConfigured() {
        return configured.isEmpty() && discoverable.isEmpty();
    }

    /**
     * Endpoints whose model list is discovered, and whether the last discovery reached them.
     *
     * @return base URL → reachable
     */
    Map<String, Boolean> discoveryStatus() {
        Map<String, Boolean> status = new LinkedHashMap<>();
        discoverable.forEach(p -> status.put(p.kind() + "@" + p.host(), reachable.getOrDefault(p, false)));
        return status;
    }

    /** Ask every discoverable endpoint for its models now. */
    void refresh() {
        for (Provider p : discoverable) {
            try {
                List<String> names = p.discover(http, timeout);
                discovered.put(p, names);
                if (!reachable.getOrDefault(p, false)) {
                    LOGGER.log(System.Logger.Level.INFO, p.kind() + " at " + p.host() + " reports " + names.size() + " models");
                }
                reachable.put(p, true);
            } catch (UpstreamException e) {
                if (reachable.getOrDefault(p, true)) {
                    LOGGER.log(System.Logger.Level.WARNING, "Model discovery at " + p.host() + " failed: " + e.getMessage()
                            + " (keeping the last known list)");
                }
                reachable.put(p, false);
            }
        }
        Map<String, ModelAlias> merged = new LinkedHashMap<>(configured);
        for (Provider p : discoverable) {
            for (String name : discovered.getOrDefault(p, List.of())) {
                merged.putIfAbsent(name, single(p, name, Duration.ofSeconds(300)));
            }
        }
        aliases.set(Map.copyOf(merged));
        aliasOrder.set(List.copyOf(merged.keySet()));
    }

    /**
     * Alias names in listing order.
     *
     * @return names
     */
    List<String> names() {
        return aliasOrder.get();
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    private static void addEnvAliases(Map<String, ModelAlias> aliases, Provider p, String models, Duration timeout) {
        for (String model : models.split(",")) {
            String name = model.strip();
            if (!name.isEmpty()) {
                aliases.putIfAbsent(name, single(p, name, timeout));
            }
        }
    }

    private static ModelAlias single(Provider p, String model, Duration timeout) {
        Deployment d = new Deployment(p.kind() + ":" + model + "@" + p.host(), p, model, 1, 0, 0, 0, timeout, 0);
        return new ModelAlias(model, RoutingStrategy.PRIORITY, List.of(d), List.of(), List.of(), p.kind());
    }

    private static Map<String, ModelAlias> readFile(Path file, Function<String, String> setting, Duration defaultTimeout) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("CHAT_CONFIG: cannot read models file " + file + ": " + e.getMessage(), e);
        }
        JsonNode models = root == null ? null : root.path("models");
        if (models == null || !models.isObject()) {
            throw new IllegalArgumentException("CHAT_CONFIG: " + file + " needs a 'models' map of alias → {deployments: […]}");
        }
        Map<String, ModelAlias> aliases = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = models.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> entry = fields.next();
            String alias = entry.getKey();
            JsonNode spec = entry.getValue();
            List<Deployment> deployments = new ArrayList<>();
            JsonNode list = spec.path("deployments");
            if (!list.isArray() || list.isEmpty()) {
                throw new IllegalArgumentException("CHAT_CONFIG: model '" + alias + "' needs a non-empty 'deployments' list");
            }
            for (int i = 0; i < list.size(); i++) {
                deployment(alias, i, list.get(i), setting, defaultTimeout).ifPresent(deployments::add);
            }
            if (deployments.isEmpty()) {
                LOGGER.log(System.Logger.Level.WARNING, "Model '" + alias + "' has no usable deployment (missing API keys); "
                        + "it is not offered");
                continue;
            }
            aliases.put(alias, new ModelAlias(alias, RoutingStrategy.parse(spec.path("strategy").asText(null)), deployments,
                                              strings(spec.path("fallbacks")), strings(spec.path("context-window-fallbacks")),
                                              deployments.getFirst().provider().kind()));
        }
        return aliases;
    }

    private static Optional<Deployment> deployment(String alias, int index, JsonNode d, Function<String, String> setting,
                                                   Duration defaultTimeout) {
        String where = "CHAT_CONFIG: model '" + alias + "' deployment " + index;
        String kind = d.path("provider").asText("");
        String model = d.path("model").asText(alias);
        String keyEnv = d.path("api-key-env").asText(null);
        String baseUrl = d.path("base-url").asText(null);
        Provider provider;
        switch (kind) {
        case "ollama" -> provider = new Provider.Ollama(ollamaBase(or(baseUrl, or(setting.apply("LOCAL_LLM_ENDPOINT"),
                                                                                   "http://127.0.0.1:11434"))));
        case "openai" -> {
            String key = setting.apply(or(keyEnv, "OPENAI_API_KEY"));
            if (key == null) {
                return skip(where, or(keyEnv, "OPENAI_API_KEY"));
            }
            provider = new Provider.OpenAi(trim(or(baseUrl, "https://api.openai.com/v1")), key);
        }
        case "anthropic" -> {
            String key = setting.apply(or(keyEnv, "ANTHROPIC_API_KEY"));
            if (key == null) {
                return skip(where, or(keyEnv, "ANTHROPIC_API_KEY"));
            }
            provider = anthropic(setting, or(baseUrl, "https://api.anthropic.com"), key);
        }
        case "openai-compatible" -> {
            if (baseUrl == null) {
                throw new IllegalArgumentException(where + ": provider openai-compatible needs 'base-url'");
            }
            String key = keyEnv == null ? null : setting.apply(keyEnv);
            if (keyEnv != null && key == null) {
                return skip(where, keyEnv);
            }
            provider = new Provider.OpenAiCompatible(trim(baseUrl), key);
        }
        default -> throw new IllegalArgumentException(where + ": provider must be ollama, openai, anthropic or "
                                                              + "openai-compatible, not '" + kind + "'");
        }
        Duration timeout = d.has("timeout") ? parseDuration(where + " timeout", d.path("timeout").asText()) : defaultTimeout;
        String id = d.path("id").asText(provider.kind() + ":" + model + "@" + provider.host());
        return Optional.of(new Deployment(id, provider, model, Math.max(1, d.path("weight").asInt(1)),
                                          d.path("priority").asInt(index), d.path("rpm").asInt(0), d.path("tpm").asInt(0),
                                          timeout, d.path("context-window").asInt(0)));
    }

    private static Optional<Deployment> skip(String where, String keyEnv) {
        LOGGER.log(System.Logger.Level.WARNING, where + " is skipped: " + keyEnv + " is not set");
        return Optional.empty();
    }

    private static Provider anthropic(Function<String, String> setting, String baseUrl, String key) {
        String maxTokens = or(setting.apply("ANTHROPIC_DEFAULT_MAX_TOKENS"), "4096");
        return new Provider.Anthropic(trim(baseUrl), key, or(setting.apply("ANTHROPIC_VERSION"), "2023-06-01"),
                                      Integer.parseInt(maxTokens));
    }

    private static List<String> strings(JsonNode node) {
        List<String> list = new ArrayList<>();
        node.forEach(n -> list.add(n.asText()));
        return list;
    }

    private static String ollamaBase(String url) {
        String base = trim(url);
        return base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
    }

    private static String trim(String url) {
        return url.strip().replaceAll("/+$", "");
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static Duration duration(Function<String, String> setting, String name, Duration fallback) {
        String value = setting.apply(name);
        return value == null ? fallback : parseDuration(name, value);
    }

    static Duration parseDuration(String name, String text) {
        String v = text.trim().toLowerCase();
        try {
            if (v.startsWith("p")) {
                return Duration.parse(v.toUpperCase());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(v));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' is not a duration (e.g. 30s, 250ms, 2m)", e);
        }
    }
}
