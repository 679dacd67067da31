package ai.universal.ml;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

class EmbeddingsApiTest {

    private final ServiceHarness svc = ServiceHarness.shared();
    private final OnnxSentenceEncoder model = TestModels.miniLm();

    @Test
    void singleStringAnswersOpenAiShapeFieldByField() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":\"Hello world\",\"model\":\"all-minilm-l6-v2\"}");
        assertThat(reply.status(), is(200));
        assertThat(reply.header("Content-Type"), startsWith("application/json"));
        JsonNode body = reply.json();
        assertThat(body.size(), is(4));
        assertThat(body.get("object").asText(), is("list"));
        assertThat(body.get("model").asText(), is("all-minilm-l6-v2"));
        assertThat(body.get("data").size(), is(1));
        JsonNode item = body.get("data").get(0);
        assertThat(item.size(), is(3));
        assertThat(item.get("object").asText(), is("embedding"));
        assertThat(item.get("index").asInt(), is(0));
        assertThat(item.get("embedding").size(), is(384));
        assertThat(body.get("usage").get("prompt_tokens").asInt(), is(4));
        assertThat(body.get("usage").get("total_tokens").asInt(), is(4));
        assertVector(item.get("embedding"), expected("Hello world"));
    }

    @Test
    void arrayInputKeepsOrderAndEachVectorMatchesTheTextSentAlone() {
        List<String> texts = List.of("The cat sleeps on the sofa.", "Quarterly revenue grew by ten percent.", "Hi");
        JsonNode body = svc.post("/v1/embeddings", "{\"input\":[\"" + String.join("\",\"", texts) + "\"]}").json();
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            JsonNode item = body.get("data").get(i);
            assertThat(item.get("index").asInt(), is(i));
            JsonNode alone = svc.post("/v1/embeddings", "{\"input\":\"" + texts.get(i) + "\"}").json();
            assertVector(item.get("embedding"), toFloats(alone.get("data").get(0).get("embedding")));
            tokens += alone.get("usage").get("prompt_tokens").asInt();
        }
        assertThat(body.get("usage").get("prompt_tokens").asInt(), is(tokens));
        assertThat(body.get("model").asText(), is("all-minilm-l6-v2"));
    }

    @Test
    void base64EncodingDecodesToTheSameFloats() {
        String request = "{\"input\":\"Base64 keeps every bit.\",\"encoding_format\":\"%s\"}";
        JsonNode floats = svc.post("/v1/embeddings", request.formatted("float")).json();
        JsonNode encoded = svc.post("/v1/embeddings", request.formatted("base64")).json();
        byte[] bytes = Base64.getDecoder().decode(encoded.get("data").get(0).get("embedding").asText());
        assertThat(bytes.length, is(384 * 4));
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        JsonNode expected = floats.get("data").get(0).get("embedding");
        for (int d = 0; d < 384; d++) {
            assertThat("dimension " + d, buffer.getFloat(), is(expected.get(d).floatValue()));
        }
    }

    @Test
    void quantisedModelIsServedUnderItsOwnId() {
        JsonNode body = svc.post("/v1/embeddings", "{\"input\":\"quantised\",\"model\":\"all-minilm-l6-v2-q\"}").json();
        assertThat(body.get("model").asText(), is("all-minilm-l6-v2-q"));
        assertThat(body.get("data").get(0).get("embedding").size(), is(384));
    }

    @Test
    void dimensionsEqualToTheModelSizeIsAccepted() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":\"x\",\"dimensions\":384}");
        assertThat(reply.status(), is(200));
    }

    @Test
    void otherDimensionsAreRejectedWithParam() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":\"x\",\"dimensions\":256}");
        assertOpenAiError(reply, 400, "invalid_request_error", "dimensions", "invalid_value");
        assertThat(reply.error("message"), is("Model all-minilm-l6-v2 only makes 384-dimensional vectors; "
                                                      + "'dimensions' 256 is not supported"));
    }

    @Test
    void unknownModelIs404ModelNotFound() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":\"x\",\"model\":\"text-embedding-3-small\"}");
        assertOpenAiError(reply, 404, "not_found_error", "model", "model_not_found");
        assertThat(reply.error("message"), is("The model 'text-embedding-3-small' does not exist; models served here: "
                                                      + "all-minilm-l6-v2, all-minilm-l6-v2-q"));
    }

    @Test
    void unknownEncodingFormatIsRejected() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":\"x\",\"encoding_format\":\"int8\"}");
        assertOpenAiError(reply, 400, "invalid_request_error", "encoding_format", "invalid_value");
    }

    @Test
    void everyMalformedInputAnswers400NamingTheField() {
        record Case(String body, String param, String code) {
        }
        List<Case> cases = List.of(
                new Case("{}", "input", "missing_field"),
                new Case("{\"input\":\"\"}", "input", "empty_input"),
                new Case("{\"input\":\"   \"}", "input", "empty_input"),
                new Case("{\"input\":[]}", "input", "empty_input"),
                new Case("{\"input\":null}", "input", "invalid_type"),
                new Case("{\"input\":42}", "input", "invalid_type"),
                new Case("{\"input\":{\"text\":\"x\"}}", "input", "invalid_type"),
                new Case("{\"input\":[\"ok\",null]}", "input[1]", "invalid_type"),
                new Case("{\"input\":[\"ok\",5]}", "input[1]", "invalid_type"),
                new Case("{\"input\":[\"ok\",\"\"]}", "input[1]", "empty_input"),
                new Case("{\"input\":[101,2023,102]}", "input", "invalid_type"),
                new Case("{\"input\":[[101,102]]}", "input", "invalid_type"),
                new Case("{\"input\":\"x\",\"model\":7}", "model", "invalid_type"),
                new Case("{\"input\":\"x\",\"truncate\":\"yes\"}", "truncate", "invalid_type"),
                new Case("{\"input\":\"x\",\"dimensions\":\"384\"}", "dimensions", "invalid_type"),
                new Case("[\"x\"]", "body", "invalid_type"));
        for (Case c : cases) {
            ServiceHarness.Reply reply = svc.post("/v1/embeddings", c.body());
            assertThat(c.body(), reply.status(), is(400));
            assertThat(c.body(), reply.error("type"), is("invalid_request_error"));
            assertThat(c.body(), reply.error("param"), is(c.param()));
            assertThat(c.body(), reply.error("code"), is(c.code()));
        }
    }

    @Test
    void tooManyInputsIs413() {
        String nine = "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]";
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":" + nine + "}");
        assertOpenAiError(reply, 413, "invalid_request_error", "input", "too_many_inputs");
        assertThat(reply.error("message"), is("'input' has 9 items; at most 8 are accepted per request"));
    }

    @Test
    void tooManyCharactersIs422NamingTheInput() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":[\"ok\",\"" + "a".repeat(2001) + "\"]}");
        assertOpenAiError(reply, 422, "invalid_request_error", "input[1]", "input_too_long");
        assertThat(reply.error("message"), is("'input[1]' has 2001 characters; at most 2000 are accepted"));
    }

    @Test
    void tooManyTokensWithoutTruncationIs422WithTheRealTokenCount() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings",
                                              "{\"input\":\"" + "word ".repeat(300) + "\",\"truncate\":false}");
        assertOpenAiError(reply, 422, "invalid_request_error", "input[0]", "input_too_long");
        assertThat(reply.error("message"), is("input[0] has 302 tokens, more than the model's maximum of 256; "
                                                      + "shorten it or send \"truncate\": true"));
    }

    @Test
    void tooManyTokensAreCutToTheWindowByDefault() {
        JsonNode body = svc.post("/v1/embeddings", "{\"input\":\"" + "word ".repeat(300) + "\"}").json();
        assertThat(body.get("usage").get("prompt_tokens").asInt(), is(256));
        assertThat(body.get("data").get(0).get("embedding").size(), is(384));
    }

    @Test
    void bodyOverTheSizeLimitIs413InOpenAiShape() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":\"" + "a".repeat(70_000) + "\"}");
        assertThat(reply.status(), is(413));
        assertThat(reply.error("type"), is("invalid_request_error"));
        assertThat(reply.error("code"), is("request_entity_too_large"));
        assertThat(reply.error("message"), containsString("Too Large"));
    }

    @Test
    void malformedJsonIs400InOpenAiShape() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\": ");
        assertThat(reply.status(), is(400));
        assertThat(reply.error("type"), is("invalid_request_error"));
        assertThat(reply.error("message"), startsWith("Request body is not valid JSON"));
    }

    @Test
    void missingCredentialsAre401InOpenAiShape() {
        ServiceHarness.Reply reply = svc.post("/v1/embeddings", "{\"input\":\"x\"}",
                                              Map.of("Content-Type", "application/json"));
        assertThat(reply.status(), is(401));
        assertThat(reply.error("type"), is("authentication_error"));
        assertThat(reply.header("WWW-Authenticate"), containsString("Bearer"));
    }

    @Test
    void concurrentClientsEachGetTheirOwnVector() throws Exception {
        int clients = 16;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> replies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String text = "Client " + i + " asks about subject number " + (i * 7) + ".";
                replies.add(pool.submit(() -> svc.post("/v1/embeddings", "{\"input\":\"" + text + "\"}").json()));
            }
            for (int i = 0; i < clients; i++) {
                JsonNode body = replies.get(i).get();
                assertVector(body.get("data").get(0).get("embedding"),
                             expected("Client " + i + " asks about subject number " + (i * 7) + "."));
            }
        }
    }

    private float[] expected(String text) {
        return model.encode(List.of(model.tokenize(text, true)))[0];
    }

    private static float[] toFloats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).floatValue();
        }
        return out;
    }

    private static void assertVector(JsonNode actual, float[] expected) {
        assertThat(actual.size(), is(expected.length));
        for (int d = 0; d < expected.length; d++) {
            assertThat("dimension " + d, actual.get(d).doubleValue(), closeTo(expected[d], 1e-5));
        }
    }

    static void assertOpenAiError(ServiceHarness.Reply reply, int status, String type, String param, String code) {
        assertThat(reply.body(), reply.status(), is(status));
        assertThat(reply.header("Content-Type"), startsWith("application/json"));
        assertThat(reply.json().size(), is(1));
        assertThat(reply.json().get("error").size(), is(4));
        assertThat(reply.error("type"), is(type));
        assertThat(reply.error("param"), param == null ? nullValue() : is(param));
        assertThat(reply.error("code"), is(code));
    }
}
