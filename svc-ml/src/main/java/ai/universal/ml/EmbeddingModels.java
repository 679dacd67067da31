package ai.universal.ml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The embedding models this service serves, by id, and which one answers when a request names none. */
public final class EmbeddingModels implements AutoCloseable {

    private final Map<String, EmbeddingModel> models = new LinkedHashMap<>();
    private final String defaultModel;

    /**
     * Serve the given models.
     *
     * @param models       loaded models, listed in this order
     * @param defaultModel id used when a request names no model
     */
    public EmbeddingModels(List<EmbeddingModel> models, String defaultModel) {
        for (EmbeddingModel model : models) {
            this.models.put(model.spec().id(), model);
        }
        if (!this.models.containsKey(defaultModel)) {
            throw new IllegalArgumentException("default model " + defaultModel + " is not among " + this.models.keySet());
        }
        this.defaultModel = defaultModel;
    }

    /**
     * Load models from the class path.
     *
     * @param ids            model ids from {@link EmbeddingModelSpec#KNOWN}
     * @param defaultModel   id used when a request names none
     * @param policy         batching bounds, one batcher per model
     * @param intraOpThreads ONNX Runtime threads per call (0 = the cores divided among the policy's workers)
     * @return the loaded models
     */
    public static EmbeddingModels load(List<String> ids, String defaultModel, BatchingPolicy policy, int intraOpThreads) {
        int threads = intraOpThreads > 0
                ? intraOpThreads
                : Math.max(1, Runtime.getRuntime().availableProcessors() / policy.workers());
        List<EmbeddingModel> loaded = new ArrayList<>();
        for (String id : ids) {
            EmbeddingModelSpec spec = EmbeddingModelSpec.KNOWN.stream()
                    .filter(s -> s.id().equals(id))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "unknown model " + id + "; known: " + EmbeddingModelSpec.KNOWN.stream()
                                    .map(EmbeddingModelSpec::id).toList()));
            loaded.add(new EmbeddingModel(OnnxSentenceEncoder.load(spec, threads), policy));
        }
        return new EmbeddingModels(loaded, defaultModel);
    }

    /** Every served model, in configuration order. */
    public List<EmbeddingModel> all() {
        return List.copyOf(models.values());
    }

    /** Id of the model used when a request names none. */
    public String defaultModel() {
        return defaultModel;
    }

    /**
     * Find a model.
     *
     * @param id model id, or null for the default
     * @return the model
     * @throws UnknownModelException if no such model is served
     */
    public EmbeddingModel get(String id) {
        EmbeddingModel model = models.get(id == null ? defaultModel : id);
        if (model == null) {
            throw new UnknownModelException(id, models.keySet());
        }
        return model;
    }

    @Override
    public void close() {
        models.values().forEach(EmbeddingModel::close);
    }
}
