package ai.universal.chat;

/**
 * Token counts of one completion.
 *
 * @param promptTokens     input tokens
 * @param completionTokens output tokens
 */
record Usage(int promptTokens, int completionTokens) {
    static final Usage NONE = new Usage(0, 0);

    int total() {
        return promptTokens + completionTokens;
    }
}
