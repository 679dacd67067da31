package ai.universal.chat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official openai-java client, unchanged, with svc-chat as its base URL and a platform API key as its key. */
@ExtendWith(RealInfra.class)
class OpenAiSdkTest {

    @TempDir
    static Path dir;

    private static ChatHarness h;
    private static OpenAIClient client;

    @BeforeAll
    static void start(TestInfra.Infra infra) throws Exception {
        h = new ChatHarness(infra, dir, Map.of());
        client = OpenAIOkHttpClient.builder()
                .baseUrl(h.base + "/v1")
                .apiKey(h.auth.apiKey("sdk-user", List.of("chat")))
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        h.close();
    }

    private static ChatCompletionCreateParams.Builder params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addSystemMessage("Be brief.").addUserMessage("Say hello");
    }

    @Test
    void sdkCreatesACompletionThroughTheGateway() {
        ChatCompletion completion = client.chat().completions().create(params("claude-test").temperature(0.2).build());
        assertEquals("claude-test", completion.model());
        assertEquals("Hello from anthropic!", completion.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().getFirst().finishReason());
        assertEquals(17, completion.usage().orElseThrow().totalTokens());
    }

    @Test
    void sdkStreamsACompletionWithUsage() {
        StringBuilder text = new StringBuilder();
        List<Long> usage = new ArrayList<>();
        ChatCompletionCreateParams p = params("llama3.2:latest")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(p)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> usage.add(u.totalTokens()));
            });
        }
        assertEquals("Hello from ollama!", text.toString());
        assertEquals(List.of(17L), usage);
    }

    @Test
    void sdkListsModels() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertTrue(ids.contains("gpt-test") && ids.contains("llama3.2:latest"), ids.toString());
    }

    @Test
    void sdkSeesOpenAiErrorsAsItsOwnExceptions() {
        NotFoundException missing = assertThrows(NotFoundException.class,
                                                 () -> client.chat().completions().create(params("nope").build()));
        assertEquals(404, missing.statusCode());
        assertEquals("model_not_found", missing.code().orElseThrow());
        assertEquals("model", missing.param().orElseThrow());
    }

    @Test
    void sdkStreamThatBreaksMidwayEndsWithAnError() {
        StringBuilder text = new StringBuilder();
        SseException broken = assertThrows(SseException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                    .createStreaming(params("midstream-anthropic").build())) {
                stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
            }
        });
        assertEquals("Hello from", text.toString());
        assertTrue(broken.getMessage().contains("upstream") || broken.code().orElse("").equals("upstream_stream_interrupted"),
                   broken.getMessage());
    }

    @Test
    void sdkWorksWithAnAccessTokenAsItsKey() {
        OpenAIClient withToken = OpenAIOkHttpClient.builder().baseUrl(h.base + "/v1")
                .apiKey(h.auth.token("token-user", List.of("user"), "chat:write")).maxRetries(0).build();
        try {
            ChatCompletion completion = withToken.chat().completions().create(params("gpt-test").build());
            assertEquals("Hello from openai!", completion.choices().getFirst().message().content().orElseThrow());
        } finally {
            withToken.close();
        }
    }
}
