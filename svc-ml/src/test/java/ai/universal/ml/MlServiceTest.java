package ai.universal.ml;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

class MlServiceTest {

    private final ServiceHarness svc = ServiceHarness.shared();

    @Test
    void modelsListsEmbeddingModelsWithDimensionsAndWindow() {
        ServiceHarness.Reply reply = svc.get("/v1/ml/models", svc.token());
        assertThat(reply.status(), is(200));
        JsonNode data = reply.json().get("data");
        assertThat(reply.json().get("object").asText(), is("list"));
        assertThat(data.get(0).get("id").asText(), is("all-minilm-l6-v2"));
        assertThat(data.get(0).get("task").asText(), is("embedding"));
        assertThat(data.get(0).get("dimensions").asInt(), is(384));
        assertThat(data.get(0).get("max_tokens").asInt(), is(256));
        assertThat(data.get(0).get("default").asBoolean(), is(true));
        assertThat(data.get(1).get("id").asText(), is("all-minilm-l6-v2-q"));
        assertThat(data.get(1).get("default").asBoolean(), is(false));
        assertThat(data.get(2).get("id").asText(), is("opennlp-langdetect-183"));
        assertThat(data.get(2).get("task").asText(), is("language"));
        assertThat(data.size(), is(5));
    }

    @Test
    void languageAnswersIso6393WithTopCandidates() {
        JsonNode body = post(200, "/v1/ml/language",
                             "{\"text\":\"Die Katze schläft auf dem Sofa und der Hund spielt im Garten.\",\"top\":2}");
        assertThat(body.get("language").asText(), is("deu"));
        assertThat(body.get("iso639_1").asText(), is("de"));
        assertThat(body.get("name").asText(), is("German"));
        assertThat(body.get("confidence").asDouble(), greaterThan(0.0));
        assertThat(body.get("candidates").size(), is(2));
        assertThat(body.get("candidates").get(0).get("language").asText(), is("deu"));
        assertThat(body.get("candidates").get(0).get("confidence").asDouble(), is(body.get("confidence").asDouble()));
    }

    @Test
    void languageTopOutOfRangeIs422ProblemJson() {
        ServiceHarness.Reply reply = svc.post("/v1/ml/language", "{\"text\":\"hello there\",\"top\":0}");
        assertProblem(reply, 422, "out_of_range", "top");
        assertThat(reply.json().get("detail").asText(), is("'top' must be between 1 and 103, not 0"));
    }

    @Test
    void sentencesComeWithOffsets() {
        JsonNode body = post(200, "/v1/ml/sentences", "{\"text\":\"It rained. We stayed in! Did you?\"}");
        assertThat(body.get("count").asInt(), is(3));
        JsonNode second = body.get("sentences").get(1);
        assertThat(second.get("text").asText(), is("We stayed in!"));
        assertThat(second.get("start").asInt(), is(11));
        assertThat(second.get("end").asInt(), is(24));
    }

    @Test
    void wordTokensAreTheDefault() {
        JsonNode body = post(200, "/v1/ml/tokens", "{\"text\":\"Hello, world.\"}");
        assertThat(body.get("tokenizer").asText(), is("words"));
        assertThat(body.get("count").asInt(), is(4));
        assertThat(body.get("tokens").get(1).get("text").asText(), is(","));
        assertThat(body.get("tokens").get(1).get("start").asInt(), is(5));
    }

    @Test
    void modelTokensMatchTheEmbeddingTokenCount() {
        JsonNode body = post(200, "/v1/ml/tokens", "{\"text\":\"Tokenization works\",\"tokenizer\":\"model\"}");
        assertThat(body.get("tokenizer").asText(), is("model"));
        assertThat(body.get("model").asText(), is("all-minilm-l6-v2"));
        assertThat(body.get("count").asInt(), is(3));
        assertThat(body.get("tokens").get(1).get("text").asText(), is("##ization"));
        assertThat(body.get("model_tokens").asInt(), is(5));
        assertThat(body.get("max_tokens").asInt(), is(256));
        JsonNode embedded = svc.post("/v1/embeddings", "{\"input\":\"Tokenization works\"}").json();
        assertThat(embedded.get("usage").get("prompt_tokens").asInt(), is(5));
    }

    @Test
    void unknownTokenizerIs400() {
        assertProblem(svc.post("/v1/ml/tokens", "{\"text\":\"x\",\"tokenizer\":\"bpe\"}"), 400, "invalid_value",
                      "tokenizer");
    }

    @Test
    void similarityOfTwoTextsAnswersOneScore() {
        JsonNode body = post(200, "/v1/ml/similarity",
                             "{\"text\":\"How do I reset my password?\",\"other\":\"I forgot my password.\"}");
        assertThat(body.get("model").asText(), is("all-minilm-l6-v2"));
        assertThat(body.get("score").asDouble(), greaterThan(0.5));
        assertThat(body.get("scores").size(), is(1));
        assertThat(body.get("scores").get(0).get("score").asDouble(), is(body.get("score").asDouble()));
        assertThat(body.get("usage").get("prompt_tokens").asInt(), greaterThan(10));
    }

    @Test
    void similarityAgainstCandidatesKeepsCandidateOrder() {
        JsonNode body = post(200, "/v1/ml/similarity", "{\"text\":\"A dog runs in the park.\",\"candidates\":"
                + "[\"Stock prices fell.\",\"A puppy is running on the grass.\"]}");
        JsonNode scores = body.get("scores");
        assertThat(scores.get(0).get("index").asInt(), is(0));
        assertThat(scores.get(1).get("index").asInt(), is(1));
        assertThat(scores.get(1).get("score").asDouble() - scores.get(0).get("score").asDouble(), greaterThan(0.3));
        assertThat(body.has("score"), is(false));
    }

    @Test
    void similarityWithBothOtherAndCandidatesIs400() {
        assertProblem(svc.post("/v1/ml/similarity", "{\"text\":\"a\",\"other\":\"b\",\"candidates\":[\"c\"]}"), 400,
                      "invalid_value", "candidates");
    }

    @Test
    void classifyRanksLabelsWithProbabilities() {
        JsonNode body = post(200, "/v1/ml/classify", "{\"text\":\"The striker scored twice in the cup final.\","
                + "\"labels\":[\"cooking\",\"sports\",\"politics\"],\"template\":\"This text is about {}.\"}");
        assertThat(body.get("label").asText(), is("sports"));
        JsonNode labels = body.get("labels");
        assertThat(labels.size(), is(3));
        assertThat(labels.get(0).get("label").asText(), is("sports"));
        double sum = 0;
        for (JsonNode label : labels) {
            sum += label.get("score").asDouble();
        }
        assertThat(sum, closeTo(1.0, 1e-9));
        assertThat(labels.get(0).get("similarity").asDouble() >= labels.get(1).get("similarity").asDouble(), is(true));
    }

    @Test
    void classifyValidatesLabelsAndTemplate() {
        assertProblem(svc.post("/v1/ml/classify", "{\"text\":\"x\",\"labels\":[\"a\",\"b\",\"a\"]}"), 422,
                      "duplicate_label", "labels[2]");
        assertProblem(svc.post("/v1/ml/classify", "{\"text\":\"x\",\"labels\":[]}"), 400, "empty_input", "labels");
        assertProblem(svc.post("/v1/ml/classify", "{\"text\":\"x\"}"), 400, "missing_field", "labels");
        assertProblem(svc.post("/v1/ml/classify", "{\"text\":\"x\",\"labels\":[\"a\"],\"template\":\"about\"}"), 400,
                      "invalid_value", "template");
        assertProblem(svc.post("/v1/ml/classify",
                               "{\"text\":\"x\",\"labels\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]}"),
                      413, "too_many_inputs", "labels");
    }

    @Test
    void textFieldsRejectMissingNullNonStringBlankAndOverlong() {
        record Case(String path, String body, int status, String code, String field) {
        }
        List<Case> cases = List.of(
                new Case("/v1/ml/language", "{}", 400, "missing_field", "text"),
                new Case("/v1/ml/language", "{\"text\":null}", 400, "invalid_type", "text"),
                new Case("/v1/ml/sentences", "{\"text\":12}", 400, "invalid_type", "text"),
                new Case("/v1/ml/tokens", "{\"text\":\"  \"}", 400, "empty_input", "text"),
                new Case("/v1/ml/sentences", "{\"text\":\"" + "a".repeat(5001) + "\"}", 422, "input_too_long", "text"),
                new Case("/v1/ml/similarity", "{\"text\":\"a\",\"candidates\":[\"b\",null]}", 400, "invalid_type",
                         "candidates[1]"),
                new Case("/v1/ml/similarity", "{\"text\":\"a\"}", 400, "missing_field", "candidates"),
                new Case("/v1/ml/language", "[1]", 400, "invalid_type", "body"));
        for (Case c : cases) {
            assertProblem(svc.post(c.path(), c.body()), c.status(), c.code(), c.field());
        }
    }

    @Test
    void unknownModelIs404ProblemJson() {
        assertProblem(svc.post("/v1/ml/similarity", "{\"text\":\"a\",\"other\":\"b\",\"model\":\"nope\"}"), 404,
                      "model_not_found", "model");
    }

    @Test
    void missingCredentialsAre401ProblemJson() {
        ServiceHarness.Reply reply = svc.post("/v1/ml/language", "{\"text\":\"hello\"}",
                                              Map.of("Content-Type", "application/json"));
        assertThat(reply.status(), is(401));
        assertThat(reply.header("Content-Type"), startsWith("application/problem+json"));
        assertThat(reply.json().get("status").asInt(), is(401));
    }

    @Test
    void wrongMethodIs405WithAllow() {
        ServiceHarness.Reply reply = svc.get("/v1/ml/language", svc.token());
        assertThat(reply.status(), is(405));
        assertThat(reply.header("Allow"), is("POST"));
    }

    private JsonNode post(int status, String path, String json) {
        ServiceHarness.Reply reply = svc.post(path, json);
        assertThat(reply.body(), reply.status(), is(status));
        return reply.json();
    }

    private static void assertProblem(ServiceHarness.Reply reply, int status, String code, String field) {
        assertThat(reply.body(), reply.status(), is(status));
        assertThat(reply.header("Content-Type"), startsWith("application/problem+json"));
        JsonNode body = reply.json();
        assertThat(body.get("status").asInt(), is(status));
        assertThat(body.get("code").asText(), is(code));
        assertThat(body.get("title").asText().isEmpty(), is(false));
        assertThat(body.get("type").asText().isEmpty(), is(false));
        assertThat(body.get("errors").get(0).get("field").asText(), is(field));
        assertThat(body.get("detail").asText(), is(body.get("errors").get(0).get("detail").asText()));
    }
}
