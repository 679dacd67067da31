package ai.universal.chat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static ai.universal.chat.Wire.collect;
import static ai.universal.chat.Wire.json;
import static ai.universal.chat.Wire.lines;
import static ai.universal.chat.Wire.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** OpenAI ↔ Anthropic Messages translation: requests one way, answers and streams the other. */
class AnthropicWireTest {

    @Test
    void requestMovesSystemToTopLevelAndToolsToAnthropicBlocks() throws Exception {
        ChatRequest request = parse("""
                {"model":"claude","temperature":1.5,"top_p":0.9,"stop":"STOP","user":"u-9","parallel_tool_calls":false,
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
                           "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
                          {"type":"function","function":{"name":"now"}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}},
                 "messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"developer","content":"Answer in French."},
                  {"role":"user","content":[{"type":"text","text":"Weather here?"},
                    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                    {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]},
                  {"role":"assistant","content":"Checking.","tool_calls":[
                    {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"toolu_2","type":"function","function":{"name":"now","arguments":""}}]},
                  {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
                  {"role":"tool","tool_call_id":"toolu_2","content":"noon"},
                  {"role":"user","content":"Thanks"}]}""");
        JsonNode body = AnthropicWire.request(request, "claude-sonnet-4-5", true, 4096);
        assertEquals("claude-sonnet-4-5", body.path("model").asText());
        assertEquals("You are terse.\n\nAnswer in French.", body.path("system").asText());
        assertEquals(4096, body.path("max_tokens").asInt());
        assertEquals(1.0, body.path("temperature").asDouble(), "capped to Anthropic's range");
        assertEquals(0.9, body.path("top_p").asDouble());
        assertEquals("STOP", body.path("stop_sequences").get(0).asText());
        assertEquals("u-9", body.path("metadata").path("user_id").asText());
        assertEquals(true, body.path("stream").asBoolean());

        JsonNode messages = body.path("messages");
        assertEquals(3, messages.size(), "turns alternate: " + messages);
        JsonNode user = messages.get(0).path("content");
        assertEquals("text", user.get(0).path("type").asText());
        assertEquals("base64", user.get(1).path("source").path("type").asText());
        assertEquals("image/png", user.get(1).path("source").path("media_type").asText());
        assertEquals("iVBORw0KGgo=", user.get(1).path("source").path("data").asText());
        assertEquals("url", user.get(2).path("source").path("type").asText());
        assertEquals("https://example.com/cat.jpg", user.get(2).path("source").path("url").asText());

        JsonNode assistant = messages.get(1);
        assertEquals("assistant", assistant.path("role").asText());
        assertEquals("Checking.", assistant.path("content").get(0).path("text").asText());
        assertEquals("tool_use", assistant.path("content").get(1).path("type").asText());
        assertEquals("toolu_1", assistant.path("content").get(1).path("id").asText());
        assertEquals("Paris", assistant.path("content").get(1).path("input").path("city").asText());
        assertEquals(0, assistant.path("content").get(2).path("input").size(), "empty arguments become {}");

        JsonNode results = messages.get(2);
        assertEquals("user", results.path("role").asText());
        assertEquals(3, results.path("content").size(), "tool results and the next user text share one user turn");
        assertEquals("tool_result", results.path("content").get(0).path("type").asText());
        assertEquals("toolu_1", results.path("content").get(0).path("tool_use_id").asText());
        assertEquals("18C", results.path("content").get(0).path("content").asText());
        assertEquals("Thanks", results.path("content").get(2).path("text").asText());

        JsonNode tools = body.path("tools");
        assertEquals("get_weather", tools.get(0).path("name").asText());
        assertEquals("Weather by city", tools.get(0).path("description").asText());
        assertEquals("city", tools.get(0).path("input_schema").path("required").get(0).asText());
        assertEquals("object", tools.get(1).path("input_schema").path("type").asText());
        assertEquals("tool", body.path("tool_choice").path("type").asText());
        assertEquals("get_weather", body.path("tool_choice").path("name").asText());
        assertEquals(true, body.path("tool_choice").path("disable_parallel_tool_use").asBoolean());
    }

    @ParameterizedTest
    @CsvSource({"auto,auto", "required,any", "none,none"})
    void toolChoiceKeywordsMapToAnthropicTypes(String openAi, String anthropic) throws Exception {
        ChatRequest request = parse("{\"model\":\"m\",\"tool_choice\":\"" + openAi + "\",\"tools\":[{\"type\":\"function\","
                                            + "\"function\":{\"name\":\"f\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        JsonNode body = AnthropicWire.request(request, "m", false, 1024);
        assertEquals(anthropic, body.path("tool_choice").path("type").asText());
        assertFalse(body.has("stream"));
        assertEquals(1024, body.path("max_tokens").asInt());
    }

    @Test
    void answerWithTextAndToolUseBecomesOpenAiCompletion() throws Exception {
        Completion c = AnthropicWire.completion(json("""
                {"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"thinking","thinking":"…","signature":"x"},{"type":"text","text":"I'll check."},
                  {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA"}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":472,"cache_creation_input_tokens":10,"cache_read_input_tokens":20,"output_tokens":91}}"""));
        assertEquals("I'll check.", c.text());
        assertEquals(1, c.toolCalls().size());
        assertEquals("toolu_01A09q90qw90lq917835lq9", c.toolCalls().getFirst().id());
        assertEquals("get_weather", c.toolCalls().getFirst().name());
        assertEquals("San Francisco, CA", json(c.toolCalls().getFirst().arguments()).path("location").asText());
        assertEquals("tool_calls", c.finishReason());
        assertEquals(new Usage(502, 91), c.usage(), "cache reads and writes are prompt tokens too");
    }

    @ParameterizedTest
    @CsvSource({"end_turn,stop", "stop_sequence,stop", "pause_turn,stop", "max_tokens,length", "tool_use,tool_calls",
                "refusal,content_filter"})
    void stopReasonsTranslateToFinishReasons(String stopReason, String finishReason) {
        assertEquals(finishReason, AnthropicWire.finishReason(stopReason));
    }

    @ParameterizedTest
    @CsvSource({"stop,end_turn", "length,max_tokens", "tool_calls,tool_use", "content_filter,refusal"})
    void finishReasonsTranslateBackToStopReasons(String finishReason, String stopReason) {
        assertEquals(stopReason, AnthropicWire.stopReason(finishReason));
        assertEquals(finishReason, AnthropicWire.finishReason(AnthropicWire.stopReason(finishReason)));
    }

    @Test
    void streamEventsBecomeTextToolFragmentsAndFinish() {
        String sse = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: ping
                data: {"type": "ping"}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", let's check."}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\": \\"San Fra"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\\"}"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":1}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

                event: message_stop
                data: {"type":"message_stop"}

                """;
        List<StreamEvent> events = collect(l -> AnthropicWire.readStream(lines(sse), l));
        assertEquals(List.of(new StreamEvent.Text("Okay"), new StreamEvent.Text(", let's check."),
                             new StreamEvent.ToolCallFragment(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", ""),
                             new StreamEvent.ToolCallFragment(0, null, null, ""),
                             new StreamEvent.ToolCallFragment(0, null, null, "{\"location\": \"San Fra"),
                             new StreamEvent.ToolCallFragment(0, null, null, "ncisco, CA\"}"),
                             new StreamEvent.Finished("tool_calls", new Usage(472, 89))), events);
    }

    @Test
    void errorEventInTheStreamIsAnOverloadedUpstream() {
        String sse = """
                event: message_start
                data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"c","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}

                event: error
                data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}

                """;
        UpstreamException e = assertThrows(UpstreamException.class, () -> AnthropicWire.readStream(lines(sse), ev -> { }));
        assertEquals(UpstreamException.Kind.OVERLOADED, e.kind());
        UpstreamException cut = assertThrows(UpstreamException.class, () -> AnthropicWire.readStream(
                lines(sse.substring(0, sse.indexOf("event: error"))), ev -> { }));
        assertEquals(UpstreamException.Kind.PROTOCOL, cut.kind(), "a stream without message_stop is broken");
    }

    @Test
    void httpErrorsClassifyByStatusAndMessage() {
        assertEquals(UpstreamException.Kind.OVERLOADED, UpstreamException.ofStatus(529, "Overloaded").kind());
        assertEquals(UpstreamException.Kind.CONTEXT_LENGTH,
                     UpstreamException.ofStatus(400, "prompt is too long: 210000 tokens > 200000 maximum").kind());
        assertEquals(UpstreamException.Kind.AUTH, UpstreamException.ofStatus(401, "invalid x-api-key").kind());
        assertEquals("Overloaded [overloaded_error]", UpstreamHttp.errorMessage(
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}".getBytes()));
    }
}
