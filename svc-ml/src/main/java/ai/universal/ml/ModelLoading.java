package ai.universal.ml;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import ai.universal.kit.http.Problem;
import ai.universal.kit.http.ProblemException;
import ai.universal.kit.observe.Health;

/**
 * Loads the models once, in the background, so the server answers /health at once while readiness stays DOWN until
 * the models are in memory. Requests that need a model before then get 503 with Retry-After.
 */
final class ModelLoading implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ModelLoading.class.getName());
    private static final String RETRY_AFTER_SECONDS = "2";

    private final CompletableFuture<LoadedModels> models = new CompletableFuture<>();

    ModelLoading(Supplier<LoadedModels> loader) {
        Thread.ofVirtual().name("ml-model-load").start(() -> {
            long start = System.nanoTime();
            try {
                LoadedModels loaded = loader.get();
                LOG.log(Level.INFO, "models loaded in " + (System.nanoTime() - start) / 1_000_000 + " ms: "
                        + loaded.embeddings().all().stream().map(m -> m.spec().id()).toList());
                models.complete(loaded);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "model loading failed", e);
                models.completeExceptionally(e);
            }
        });
    }

    /** Readiness: UP once loaded, DOWN while loading or after a failed load. */
    Health.Result health() {
        if (!models.isDone()) {
            return Health.Result.down("models loading");
        }
        return models.isCompletedExceptionally() ? Health.Result.down("model loading failed") : Health.Result.ok();
    }

    /**
     * The models, or a 503 problem while they are not there.
     *
     * @return loaded models
     */
    LoadedModels ready() {
        if (!models.isDone()) {
            throw new ProblemException(Problem.of(503, "model_loading", "Service Unavailable",
                                                  "Models are still loading; retry shortly"))
                    .withHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        if (models.isCompletedExceptionally()) {
            throw new ProblemException(Problem.of(503, "model_unavailable", "Service Unavailable",
                                                  "Models failed to load; see the service log"));
        }
        return models.join();
    }

    @Override
    public void close() {
        models.thenAccept(LoadedModels::close);
    }
}
