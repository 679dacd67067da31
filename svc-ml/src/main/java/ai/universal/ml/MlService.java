package ai.universal.ml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Text utilities on in-process models; errors are problem+json.
 *
 * <pre>
 * GET  /v1/ml/models      embedding models (id, dimensions, max tokens, default) and the text models
 * POST /v1/ml/language    {"text", "top"?: 3}                 → {"language", "iso639_1", "name", "confidence",
 *                                                                "candidates": [...]}   (ISO 639-3, OpenNLP langdetect)
 * POST /v1/ml/sentences   {"text"}                            → {"sentences": [{"text", "start", "end"}], "count"}
 * POST /v1/ml/tokens      {"text", "tokenizer"?: "words" | "model", "model"?}
 *                                                             → {"tokenizer", "tokens": [{"text", "start", "end"}],
 *                                                                "count", "model_tokens"?, "max_tokens"?}
 * POST /v1/ml/similarity  {"text", "other"} | {"text", "candidates": [...]}, "model"?, "truncate"?
 *                                                             → {"model", "score"?, "scores": [{"index", "score"}],
 *                                                                "usage"}
 * POST /v1/ml/classify    {"text", "labels": [...], "template"?: "{}", "model"?, "truncate"?}
 *                                                             → {"model", "label", "labels": [{"label", "score",
 *                                                                "similarity"}], "usage"}
 * </pre>
 */
final class MlService implements HttpService {

    private final ModelLoading models;
    private final MlConfig config;
    private final Access access;

    MlService(ModelLoading models, MlConfig config, Access access) {
        this.models = models;
        this.config = config;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/ml/models", guard(this::models))
                .post("/v1/ml/language", guard(this::language))
                .post("/v1/ml/sentences", guard(this::sentences))
                .post("/v1/ml/tokens", guard(this::tokens))
                .post("/v1/ml/similarity", guard(this::similarity))
                .post("/v1/ml/classify", guard(this::classify));
    }

    private Handler guard(Handler handler) {
        Handler mapped = RequestErrors.mapped(handler);
        return config.requireAuth() ? access.authenticated(mapped) : mapped;
    }

    private void models(ServerRequest req, ServerResponse res) {
        LoadedModels loaded = models.ready();
        List<ModelInfo> data = new ArrayList<>();
        for (EmbeddingModel model : loaded.embeddings().all()) {
            EmbeddingModelSpec spec = model.spec();
            data.add(new ModelInfo(spec.id(), "model", "embedding", spec.dimensions(), spec.maxTokens(),
                                   spec.id().equals(loaded.embeddings().defaultModel()), spec.description()));
        }
        data.add(new ModelInfo("opennlp-langdetect-183", "model", "language", null, null, false,
                               "OpenNLP language detector, " + loaded.languages().languages().size()
                                       + " languages, ISO 639-3 codes"));
        data.add(new ModelInfo("opennlp-en-ud-ewt-sentence", "model", "sentences", null, null, false,
                               "OpenNLP English sentence detector (UD English-EWT)"));
        data.add(new ModelInfo("opennlp-en-ud-ewt-tokens", "model", "tokens", null, null, false,
                               "OpenNLP English tokenizer (UD English-EWT)"));
        res.send(Map.of("object", "list", "data", data));
    }

    private void language(ServerRequest req, ServerResponse res) {
        RequestFields body = new RequestFields(Json.tree(req));
        String text = body.text("text", config.maxTextChars());
        LanguageIdentifier languages = models.ready().languages();
        int max = languages.languages().size();
        int top = body.integer("top", 3);
        if (top < 1 || top > max) {
            throw RequestErrors.outOfRange("top", "'top' must be between 1 and " + max + ", not " + top);
        }
        List<LanguageGuess> guesses = languages.detect(text, top);
        LanguageGuess best = guesses.getFirst();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("language", best.language());
        answer.put("iso639_1", best.iso6391());
        answer.put("name", best.name());
        answer.put("confidence", best.confidence());
        answer.put("candidates", guesses.stream().map(MlService::guess).toList());
        res.send(answer);
    }

    private static Map<String, Object> guess(LanguageGuess guess) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("language", guess.language());
        entry.put("iso639_1", guess.iso6391());
        entry.put("name", guess.name());
        entry.put("confidence", guess.confidence());
        return entry;
    }

    private void sentences(ServerRequest req, ServerResponse res) {
        RequestFields body = new RequestFields(Json.tree(req));
        String text = body.text("text", config.maxTextChars());
        List<TextSpan> sentences = models.ready().sentences().split(text);
        res.send(Map.of("sentences", sentences, "count", sentences.size()));
    }

    private void tokens(ServerRequest req, ServerResponse res) {
        RequestFields body = new RequestFields(Json.tree(req));
        String text = body.text("text", config.maxTextChars());
        String tokenizer = body.optionalString("tokenizer");
        LoadedModels loaded = models.ready();
        if (tokenizer == null || tokenizer.equals("words")) {
            List<TextSpan> words = loaded.words().tokenize(text);
            res.send(new Tokens("words", null, words, words.size(), null, null));
            return;
        }
        if (!tokenizer.equals("model")) {
            throw RequestErrors.invalidValue("tokenizer", "'tokenizer' must be 'words' or 'model', not '" + tokenizer + "'");
        }
        EmbeddingModel model = loaded.embeddings().get(body.optionalString("model"));
        List<TextSpan> pieces = model.encoder().wordPieces(text);
        res.send(new Tokens("model", model.spec().id(), pieces, pieces.size(), pieces.size() + 2,
                            model.spec().maxTokens()));
    }

    private void similarity(ServerRequest req, ServerResponse res) throws InterruptedException {
        RequestFields body = new RequestFields(Json.tree(req));
        String text = body.text("text", config.maxInputChars());
        boolean single = body.has("other");
        if (single && body.has("candidates")) {
            throw RequestErrors.invalidValue("candidates", "send either 'other' or 'candidates', not both");
        }
        List<String> candidates = single
                ? List.of(body.text("other", config.maxInputChars()))
                : body.array("candidates", config.maxInputs() - 1, config.maxInputChars());
        TextSimilarity.Scores scores = new TextSimilarity(models.ready().embeddings())
                .compare(body.optionalString("model"), text, candidates, body.bool("truncate", config.truncate()));
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < scores.scores().length; i++) {
            list.add(Map.of("index", i, "score", scores.scores()[i]));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model", scores.model());
        if (single) {
            answer.put("score", scores.scores()[0]);
        }
        answer.put("scores", list);
        answer.put("usage", Map.of("prompt_tokens", scores.tokens(), "total_tokens", scores.tokens()));
        res.send(answer);
    }

    private void classify(ServerRequest req, ServerResponse res) throws InterruptedException {
        RequestFields body = new RequestFields(Json.tree(req));
        String text = body.text("text", config.maxInputChars());
        List<String> labels = body.array("labels", config.maxInputs() - 1, 200);
        RequestFields.requireDistinct("labels", labels);
        String template = body.optionalString("template");
        if (template == null) {
            template = ZeroShotClassifier.DEFAULT_TEMPLATE;
        } else if (!template.contains("{}")) {
            throw RequestErrors.invalidValue("template", "'template' must contain {} where the label goes");
        }
        ZeroShotClassifier.Classification result = new ZeroShotClassifier(models.ready().embeddings())
                .classify(body.optionalString("model"), text, labels, template, body.bool("truncate", config.truncate()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model", result.model());
        answer.put("label", result.labels().getFirst().label());
        answer.put("labels", result.labels());
        answer.put("usage", Map.of("prompt_tokens", result.tokens(), "total_tokens", result.tokens()));
        res.send(answer);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelInfo(String id, String object, String task, Integer dimensions,
                     @JsonProperty("max_tokens") Integer maxTokens, @JsonProperty("default") boolean isDefault,
                     String description) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Tokens(String tokenizer, String model, List<TextSpan> tokens, int count,
                  @JsonProperty("model_tokens") Integer modelTokens, @JsonProperty("max_tokens") Integer maxTokens) {
    }
}
