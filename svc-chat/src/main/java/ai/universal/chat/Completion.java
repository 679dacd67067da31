package ai.universal.chat;

import java.util.List;

/**
 * A whole answer from an upstream, translated to OpenAI's terms.
 *
 * @param text         assistant text (may be empty, never null)
 * @param toolCalls    tool calls (may be empty)
 * @param finishReason OpenAI finish reason: stop, length, tool_calls, content_filter
 * @param usage        token counts
 */
record Completion(String text, List<ToolCall> toolCalls, String finishReason, Usage usage) {
    Completion {
        text = text == null ? "" : text;
        toolCalls = List.copyOf(toolCalls);
    }
}
