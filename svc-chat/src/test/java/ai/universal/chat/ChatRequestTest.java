package ai.universal.chat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static ai.universal.chat.Wire.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a chat request must look like, and which parameter a mistake is blamed on. */
class ChatRequestTest {

    @Test
    void fullRequestIsRead() throws Exception {
        ChatRequest r = parse("""
                {"model":"m","temperature":0.7,"top_p":1,"max_tokens":10,"max_completion_tokens":20,"stop":["a"],"seed":3,
                 "user":"u","stream":true,"stream_options":{"include_usage":true},"n":1,
                 "conversation_id":"6f1c1a4e-3c55-4a43-9d7c-1d8f3c2c2b11","memory":{"enabled":true,"limit":2},
                 "messages":[{"role":"system","content":"s"},{"role":"user","content":"hello"}]}""");
        assertEquals("m", r.model());
        assertEquals(20, r.sampling().maxTokens(), "max_completion_tokens wins over max_tokens");
        assertEquals(0.7, r.sampling().temperature());
        assertTrue(r.stream() && r.includeUsage());
        assertEquals(UUID.fromString("6f1c1a4e-3c55-4a43-9d7c-1d8f3c2c2b11"), r.conversationId());
        assertEquals(new ChatRequest.MemoryOptions(true, 2), r.memory());
        assertEquals("hello", r.lastUserText());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|model",
        "{\"model\":\"m\",\"messages\":[]}|messages",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}|messages[0].content",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}|messages[0].content",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"audio\"}]}]}|messages[0].content[0].type",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}|messages[0].tool_call_id",
        "{\"model\":\"m\",\"top_p\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|top_p",
        "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|max_tokens",
        "{\"model\":\"m\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|stop",
        "{\"model\":\"m\",\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|n",
        "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|stream",
        "{\"model\":\"m\",\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|stream_options",
        "{\"model\":\"m\",\"tools\":[{\"type\":\"function\"}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|tools[0]",
        "{\"model\":\"m\",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"g\"}},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|tool_choice",
        "{\"model\":\"m\",\"response_format\":{\"type\":\"yaml\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|response_format.type",
        "{\"model\":\"m\",\"conversation_id\":\"abc\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|conversation_id",
        "{\"model\":\"m\",\"seed\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|seed"
    })
    void invalidRequestNamesTheParameter(String body, String param) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> parse(body));
        assertEquals(param, e.param(), e.getMessage());
    }

    @Test
    void assistantMessageMayCarryOnlyToolCalls() throws Exception {
        ChatRequest r = parse("""
                {"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
                 "function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"ok"}]}""");
        assertEquals("f", r.messages().getFirst().toolCalls().getFirst().name());
        assertEquals("", r.messages().getFirst().text());
    }
}
