package ai.universal.ml;

import java.util.List;

/** Turns a batch of tokenised texts into one L2-normalised vector each, in the same order, in one model call. */
@FunctionalInterface
public interface BatchEncoder {

    /**
     * Encode a batch.
     *
     * @param texts tokenised texts, at least one
     * @return one vector per text, same order
     */
    float[][] encode(List<TokenizedText> texts);
}
