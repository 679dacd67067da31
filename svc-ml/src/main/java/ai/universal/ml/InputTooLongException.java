package ai.universal.ml;

/** A text has more tokens than the model's window and the caller asked not to truncate. */
public final class InputTooLongException extends RuntimeException {

    private final int index;
    private final int tokens;
    private final int maxTokens;

    InputTooLongException(int index, int tokens, int maxTokens) {
        super((index < 0 ? "input" : "input[" + index + "]") + " has " + tokens
                      + " tokens, more than the model's maximum of " + maxTokens
                      + "; shorten it or send \"truncate\": true");
        this.index = index;
        this.tokens = tokens;
        this.maxTokens = maxTokens;
    }

    /** Position of the text in its request, -1 if not known. */
    public int index() {
        return index;
    }

    /** Tokens in the text, [CLS] and [SEP] included. */
    public int tokens() {
        return tokens;
    }

    /** The model's window. */
    public int maxTokens() {
        return maxTokens;
    }

    InputTooLongException at(int position) {
        return new InputTooLongException(position, tokens, maxTokens);
    }
}
