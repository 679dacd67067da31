package ai.universal.chat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static ai.universal.chat.Wire.collect;
import static ai.universal.chat.Wire.json;
import static ai.universal.chat.Wire.lines;
import static ai.universal.chat.Wire.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenAI ↔ Ollama /api/chat translation. */
class OllamaWireTest {

    @Test
    void requestPutsSamplingIntoOptionsImagesAsBase64AndToolArgumentsAsObjects() throws Exception {
        ChatRequest request = parse("""
                {"model":"llama3.2","temperature":0.2,"top_p":0.8,"max_completion_tokens":50,"stop":["x","y"],"seed":42,
                 "response_format":{"type":"json_object"},
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
                 "messages":[{"role":"developer","content":"Be brief."},
                  {"role":"user","content":[{"type":"text","text":"What is this?"},
                    {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}}]},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                    "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"-3C"}]}""");
        JsonNode body = OllamaWire.request(request, "llama3.2:latest", true);
        assertEquals("llama3.2:latest", body.path("model").asText());
        assertTrue(body.path("stream").asBoolean());
        assertEquals(0.2, body.path("options").path("temperature").asDouble());
        assertEquals(0.8, body.path("options").path("top_p").asDouble());
        assertEquals(50, body.path("options").path("num_predict").asInt());
        assertEquals("y", body.path("options").path("stop").get(1).asText());
        assertEquals(42, body.path("options").path("seed").asInt());
        assertEquals("json", body.path("format").asText());
        JsonNode messages = body.path("messages");
        assertEquals("system", messages.get(0).path("role").asText());
        assertEquals("What is this?", messages.get(1).path("content").asText());
        assertEquals("/9j/4AAQ", messages.get(1).path("images").get(0).asText());
        assertEquals("Oslo", messages.get(2).path("tool_calls").get(0).path("function").path("arguments").path("city").asText());
        assertEquals("get_weather", messages.get(3).path("tool_name").asText());
        assertEquals("get_weather", body.path("tools").get(0).path("function").path("name").asText());
    }

    @Test
    void imageByUrlIsRefusedBecauseOllamaTakesBase64Only() throws Exception {
        ChatRequest request = parse("""
                {"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}""");
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> OllamaWire.request(request, "m", false));
        assertEquals("messages", e.param());
    }

    @Test
    void answerWithToolCallsGetsIdsAndFinishReasonToolCalls() throws Exception {
        Completion c = OllamaWire.completion(json("""
                {"model":"llama3.2","created_at":"2024-07-22T20:33:28.123648Z","message":{"role":"assistant","content":"",
                 "tool_calls":[{"function":{"name":"get_current_weather","arguments":{"format":"celsius","location":"Paris, FR"}}}]},
                 "done_reason":"stop","done":true,"total_duration":885095291,"load_duration":3753500,"prompt_eval_count":122,
                 "prompt_eval_duration":328493000,"eval_count":33,"eval_duration":552222000}"""));
        assertEquals("tool_calls", c.finishReason());
        assertTrue(c.toolCalls().getFirst().id().startsWith("call_"));
        assertEquals("Paris, FR", json(c.toolCalls().getFirst().arguments()).path("location").asText());
        assertEquals(new Usage(122, 33), c.usage());
        Completion cut = OllamaWire.completion(json("""
                {"model":"m","created_at":"2024-07-22T20:33:28Z","message":{"role":"assistant","content":"Once upon"},
                 "done":true,"done_reason":"length","prompt_eval_count":3,"eval_count":2}"""));
        assertEquals("length", cut.finishReason());
    }

    @Test
    void ndjsonStreamBecomesTextThenFinishWithCounts() {
        String ndjson = """
                {"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The"},"done":false}
                {"model":"llama3.2","created_at":"2023-08-04T08:52:19.405406455-07:00","message":{"role":"assistant","content":" sky"},"done":false}
                {"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}
                """;
        assertEquals(List.of(new StreamEvent.Text("The"), new StreamEvent.Text(" sky"),
                             new StreamEvent.Finished("stop", new Usage(26, 282))),
                     collect(l -> OllamaWire.readStream(lines(ndjson), l)));
    }

    @Test
    void errorLineOrEndWithoutDoneIsAnUpstreamFailure() {
        String first = "{\"model\":\"m\",\"created_at\":\"2023-08-04T08:52:19Z\",\"message\":{\"role\":\"assistant\",\"content\":\"A\"},"
                + "\"done\":false}\n";
        UpstreamException error = assertThrows(UpstreamException.class, () -> OllamaWire.readStream(
                lines(first + "{\"error\":\"model runner has unexpectedly stopped\"}\n"), e -> { }));
        assertEquals(UpstreamException.Kind.SERVER, error.kind());
        assertTrue(error.getMessage().contains("unexpectedly stopped"));
        UpstreamException cut = assertThrows(UpstreamException.class, () -> OllamaWire.readStream(lines(first), e -> { }));
        assertEquals(UpstreamException.Kind.PROTOCOL, cut.kind());
        assertFalse(cut.kind().tryNext() && !cut.kind().retrySame());
    }
}
