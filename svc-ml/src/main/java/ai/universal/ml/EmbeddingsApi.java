package ai.universal.ml;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * OpenAI-compatible embeddings, so any OpenAI SDK works with base URL {@code …/v1}.
 *
 * <pre>
 * POST /v1/embeddings
 *   {"input": "text" | ["text", …], "model"?: "all-minilm-l6-v2", "encoding_format"?: "float" | "base64",
 *    "dimensions"?: 384, "user"?: "…", "truncate"?: true}
 *   → {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [...] | "base64"}],
 *      "model": "…", "usage": {"prompt_tokens": n, "total_tokens": n}}
 * </pre>
 * Errors answer OpenAI's {@code {"error": {"message", "type", "param", "code"}}}. {@code dimensions} is accepted only
 * when it equals the model's size (these models cannot shorten vectors); base64 is little-endian float32, as OpenAI
 * sends it. Token counts come from the model's own tokenizer, [CLS] and [SEP] included.
 */
final class EmbeddingsApi implements HttpService {

    private final ModelLoading models;
    private final MlConfig config;
    private final Access access;

    EmbeddingsApi(ModelLoading models, MlConfig config, Access access) {
        this.models = models;
        this.config = config;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/embeddings", guard(this::embeddings));
    }

    private Handler guard(Handler handler) {
        Handler mapped = RequestErrors.mapped(handler);
        return config.requireAuth() ? access.authenticated(mapped) : mapped;
    }

    private void embeddings(ServerRequest req, ServerResponse res) throws InterruptedException {
        RequestFields body = new RequestFields(Json.tree(req));
        List<String> input = body.texts("input", config.maxInputs(), config.maxInputChars());
        String format = body.optionalString("encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw RequestErrors.invalidValue("encoding_format", "'encoding_format' must be 'float' or 'base64', not '"
                    + format + "'");
        }
        boolean base64 = "base64".equals(format);
        EmbeddingModel model = models.ready().embeddings().get(body.optionalString("model"));
        if (body.has("dimensions")) {
            int dimensions = body.integer("dimensions", model.spec().dimensions());
            if (dimensions != model.spec().dimensions()) {
                throw RequestErrors.invalidValue("dimensions", "Model " + model.spec().id() + " only makes "
                        + model.spec().dimensions() + "-dimensional vectors; 'dimensions' " + dimensions
                        + " is not supported");
            }
        }
        body.optionalString("user");
        Embeddings embeddings = model.embed(input, body.bool("truncate", config.truncate()));
        List<Item> data = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            float[] vector = embeddings.vectors().get(i);
            data.add(new Item("embedding", i, base64 ? base64(vector) : vector));
        }
        // Serialised up front: one body with Content-Length instead of a chunked stream of small writes.
        res.header(HeaderNames.CONTENT_TYPE, "application/json")
                .send(Json.bytes(new Response("list", data, embeddings.model(),
                                              new Usage(embeddings.tokens(), embeddings.tokens()))));
    }

    static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    record Response(String object, List<Item> data, String model, Usage usage) {
    }

    record Item(String object, int index, Object embedding) {
    }

    record Usage(@JsonProperty("prompt_tokens") int promptTokens, @JsonProperty("total_tokens") int totalTokens) {
    }
}
