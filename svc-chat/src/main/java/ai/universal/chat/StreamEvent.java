package ai.universal.chat;

/**
 * What a provider adapter reports while an upstream streams, already in OpenAI's terms: text, tool-call fragments,
 * and the end with its finish reason and usage.
 */
sealed interface StreamEvent {

    /**
     * A piece of assistant text.
     *
     * @param text text
     */
    record Text(String text) implements StreamEvent {
    }

    /**
     * A fragment of a tool call: the first fragment of a call carries its id and name, later ones more arguments.
     *
     * @param index     position of the call in the answer
     * @param id        call id (first fragment only, else null)
     * @param name      function name (first fragment only, else null)
     * @param arguments more argument JSON text (may be empty)
     */
    record ToolCallFragment(int index, String id, String name, String arguments) implements StreamEvent {
    }

    /**
     * The upstream finished the answer.
     *
     * @param finishReason OpenAI finish reason
     * @param usage        token counts
     */
    record Finished(String finishReason, Usage usage) implements StreamEvent {
    }
}
