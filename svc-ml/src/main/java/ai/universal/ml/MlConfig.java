package ai.universal.ml;

import java.util.Arrays;
import java.util.List;

import ai.universal.kit.Settings;

/**
 * svc-ml's settings (environment variable, then {@code ml.*} in application.yaml, then the default).
 *
 * @param models          embedding models to load ({@code ML_MODELS}, comma-separated)
 * @param defaultModel    model used when a request names none ({@code ML_DEFAULT_MODEL})
 * @param batching        dynamic batching bounds ({@code ML_BATCH_*}, {@code ML_QUEUE_CAPACITY}, {@code ML_WORKERS})
 * @param intraOpThreads  ONNX Runtime threads per call, 0 = the cores divided among the workers
 *                        ({@code ML_ONNX_THREADS})
 * @param maxInputs       most texts per request ({@code ML_MAX_INPUTS}); more → 413
 * @param maxInputChars   most characters per embedded text ({@code ML_MAX_INPUT_CHARS}); more → 422
 * @param maxTextChars    most characters for language/sentences/tokens ({@code ML_MAX_TEXT_CHARS}); more → 422
 * @param maxBodyBytes    largest request body ({@code ML_MAX_BODY_BYTES}); more → 413
 * @param truncate        whether texts over the model's window are cut when a request does not say
 *                        ({@code ML_TRUNCATE})
 * @param requireAuth     whether callers must present a token or API key ({@code ML_REQUIRE_AUTH})
 */
public record MlConfig(List<String> models,
                       String defaultModel,
                       BatchingPolicy batching,
                       int intraOpThreads,
                       int maxInputs,
                       int maxInputChars,
                       int maxTextChars,
                       long maxBodyBytes,
                       boolean truncate,
                       boolean requireAuth) {

    /** Checks that a request's texts always fit in the queue. */
    public MlConfig {
        models = List.copyOf(models);
        if (maxInputs < 2 || maxInputChars < 1 || maxTextChars < 1 || maxBodyBytes < 1) {
            throw new IllegalArgumentException("svc-ml limits must be positive (ML_MAX_INPUTS at least 2)");
        }
        if (maxInputs > batching.queueCapacity()) {
            throw new IllegalArgumentException("ML_MAX_INPUTS (" + maxInputs + ") must not exceed ML_QUEUE_CAPACITY ("
                                                       + batching.queueCapacity() + ")");
        }
    }

    /**
     * Read the settings.
     *
     * @param s settings
     * @return config
     */
    public static MlConfig from(Settings s) {
        BatchingPolicy batching = new BatchingPolicy(
                s.integer("ML_BATCH_MAX_SIZE", "ml.batch.max-size", BatchingPolicy.DEFAULT.maxBatchSize()),
                s.integer("ML_BATCH_MAX_TOKENS", "ml.batch.max-tokens", BatchingPolicy.DEFAULT.maxBatchTokens()),
                s.duration("ML_BATCH_MAX_WAIT", "ml.batch.max-wait", BatchingPolicy.DEFAULT.maxWait()),
                s.integer("ML_QUEUE_CAPACITY", "ml.batch.queue-capacity", BatchingPolicy.DEFAULT.queueCapacity()),
                s.integer("ML_WORKERS", "ml.batch.workers", BatchingPolicy.DEFAULT.workers()));
        String models = s.string("ML_MODELS", "ml.models", "all-minilm-l6-v2,all-minilm-l6-v2-q");
        return new MlConfig(Arrays.stream(models.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList(),
                            s.string("ML_DEFAULT_MODEL", "ml.default-model", "all-minilm-l6-v2"),
                            batching,
                            s.integer("ML_ONNX_THREADS", "ml.onnx-threads", 0),
                            s.integer("ML_MAX_INPUTS", "ml.limits.max-inputs", 512),
                            s.integer("ML_MAX_INPUT_CHARS", "ml.limits.max-input-chars", 16_384),
                            s.integer("ML_MAX_TEXT_CHARS", "ml.limits.max-text-chars", 100_000),
                            s.integer("ML_MAX_BODY_BYTES", "ml.limits.max-body-bytes", 8 << 20),
                            s.bool("ML_TRUNCATE", "ml.truncate", true),
                            s.bool("ML_REQUIRE_AUTH", "ml.require-auth", true));
    }
}
