package ai.universal.chat;

/**
 * A function call the model asked for, in OpenAI's terms.
 *
 * @param id        call id ({@code call_…}, {@code toolu_…}); tool results refer to it
 * @param name      function name
 * @param arguments arguments as a JSON text (OpenAI sends a string, Anthropic and Ollama an object)
 */
record ToolCall(String id, String name, String arguments) {
}
