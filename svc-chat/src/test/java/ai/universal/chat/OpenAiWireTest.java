package ai.universal.chat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static ai.universal.chat.Wire.collect;
import static ai.universal.chat.Wire.lines;
import static ai.universal.chat.Wire.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenAI's wire format as upstream: request pass-through and stream reading. */
class OpenAiWireTest {

    @Test
    void upstreamRequestKeepsEveryOpenAiFieldAndDropsGatewayExtensions() throws Exception {
        ChatRequest request = parse("""
                {"model":"alias","logprobs":true,"top_logprobs":2,"presence_penalty":0.5,"conversation_id":"6f1c1a4e-3c55-4a43-9d7c-1d8f3c2c2b11",
                 "memory":{"enabled":true},"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        JsonNode body = OpenAiWire.request(request, "gpt-4o-mini", true);
        assertEquals("gpt-4o-mini", body.path("model").asText());
        assertTrue(body.path("logprobs").asBoolean());
        assertEquals(2, body.path("top_logprobs").asInt());
        assertEquals(0.5, body.path("presence_penalty").asDouble());
        assertFalse(body.has("conversation_id"));
        assertFalse(body.has("memory"));
        assertTrue(body.path("stream_options").path("include_usage").asBoolean());
        JsonNode plain = OpenAiWire.request(request, "gpt-4o-mini", false);
        assertFalse(plain.has("stream"));
        assertFalse(plain.has("stream_options"));
    }

    @Test
    void streamWithToolCallFragmentsFinishAndTrailingUsage() {
        String sse = """
                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}],"usage":null}

                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"a\\":1}"}}]},"finish_reason":null}],"usage":null}

                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}

                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}

                data: [DONE]

                """;
        assertEquals(List.of(new StreamEvent.ToolCallFragment(0, "call_1", "f", ""),
                             new StreamEvent.ToolCallFragment(0, null, null, "{\"a\":1}"),
                             new StreamEvent.Finished("tool_calls", new Usage(9, 4))),
                     collect(l -> OpenAiWire.readStream(lines(sse), l)));
    }

    @Test
    void errorObjectOrEndBeforeFinishIsAnUpstreamFailure() {
        String chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n";
        UpstreamException error = assertThrows(UpstreamException.class, () -> OpenAiWire.readStream(
                lines(chunk + "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n"),
                e -> { }));
        assertEquals(UpstreamException.Kind.SERVER, error.kind());
        UpstreamException cut = assertThrows(UpstreamException.class, () -> OpenAiWire.readStream(lines(chunk), e -> { }));
        assertEquals(UpstreamException.Kind.PROTOCOL, cut.kind());
        String finishedNoDone = chunk + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n";
        assertEquals(new StreamEvent.Finished("length", null),
                     collect(l -> OpenAiWire.readStream(lines(finishedNoDone), l)).getLast(),
                     "servers that close after the last chunk without [DONE] still finish");
    }

    @Test
    void contextLengthErrorIsRecognised() {
        String body = "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens.\",\"type\":"
                + "\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}";
        assertEquals(UpstreamException.Kind.CONTEXT_LENGTH,
                     UpstreamException.ofStatus(400, UpstreamHttp.errorMessage(body.getBytes())).kind());
        assertEquals(UpstreamException.Kind.BAD_REQUEST, UpstreamException.ofStatus(400, "Invalid value").kind());
    }
}
