package ai.universal.ml;

/**
 * A text turned into model token ids, ready for the encoder.
 *
 * @param ids         token ids sent to the model, [CLS] and [SEP] included (after truncation)
 * @param inputTokens how many tokens the whole text has, [CLS] and [SEP] included (before truncation)
 */
public record TokenizedText(long[] ids, int inputTokens) {

    /** Tokens the model actually reads. */
    public int length() {
        return ids.length;
    }

    /** Whether the text was cut to fit the model's window. */
    public boolean truncated() {
        return ids.length < inputTokens;
    }
}
