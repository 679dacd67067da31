package ai.universal.ml;

import java.util.Map;
import java.util.function.Function;

import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceContext;
import ai.universal.kit.http.Access;
import ai.universal.kit.http.ErrorStyle;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.webserver.http.HttpRules;

/**
 * svc-ml on svc-kit: port 8010, config under {@code ml}, OpenAI error shape on /v1/embeddings, problem+json on
 * /v1/ml/…. Models load in the background at start; readiness (check {@code models}) waits for them.
 * Start in-process with {@code ServiceRunner.start(new MlApp(), env)}.
 */
public final class MlApp implements ServiceApp {

    private final Function<MlConfig, LoadedModels> loader;
    private volatile MlConfig config;

    /** The service with its models loaded from the class path. */
    public MlApp() {
        this(LoadedModels::load);
    }

    /**
     * The service with models from a loader (tests wrap the real models).
     *
     * @param loader builds the models from the settings
     */
    MlApp(Function<MlConfig, LoadedModels> loader) {
        this.loader = loader;
    }

    @Override
    public String name() {
        return "svc-ml";
    }

    @Override
    public String key() {
        return "ml";
    }

    @Override
    public int defaultPort() {
        return 8010;
    }

    @Override
    public Map<String, ErrorStyle> errorStyles() {
        return Map.of("/v1/embeddings", ErrorStyle.OPENAI);
    }

    @Override
    public long maxPayloadBytes() {
        MlConfig current = config;
        return current == null ? 8L << 20 : current.maxBodyBytes();
    }

    @Override
    public void setUp(ServiceContext ctx, HttpRules rules) {
        MlConfig settings = MlConfig.from(ctx.settings());
        this.config = settings;
        ModelLoading models = new ModelLoading(() -> registerMetrics(loader.apply(settings)));
        ctx.onClose(models);
        ctx.health().add("models", models::health);
        Access access = ctx.access();
        rules.register(new EmbeddingsApi(models, settings, access), new MlService(models, settings, access));
    }

    // Batcher counters per model on /metrics: queue depth, model calls, texts, refused requests.
    private static LoadedModels registerMetrics(LoadedModels loaded) {
        MeterRegistry registry = Metrics.globalRegistry();
        for (EmbeddingModel model : loaded.embeddings().all()) {
            EmbeddingBatcher batcher = model.batcher();
            Iterable<Tag> tags = java.util.List.of(Tag.create("model", model.spec().id()));
            registry.getOrCreate(Gauge.builder("ml.embedding.queue.texts", batcher,
                                               b -> (double) b.stats().queued()).scope("vendor").tags(tags));
            registry.getOrCreate(FunctionalCounter.builder("ml.embedding.batches", batcher,
                                                           b -> b.stats().batches()).scope("vendor").tags(tags));
            registry.getOrCreate(FunctionalCounter.builder("ml.embedding.texts", batcher,
                                                           b -> b.stats().texts()).scope("vendor").tags(tags));
            registry.getOrCreate(FunctionalCounter.builder("ml.embedding.rejected", batcher,
                                                           b -> b.stats().rejected()).scope("vendor").tags(tags));
        }
        return loaded;
    }
}
