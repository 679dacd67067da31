package ai.universal.ml;

import java.util.List;

/**
 * Vectors for a request's texts.
 *
 * @param model     id of the model that made them
 * @param vectors   one L2-normalised vector per text, in request order
 * @param tokens    tokens the model read for all texts together ([CLS] and [SEP] included, after truncation)
 * @param truncated how many texts were cut to the model's window
 */
public record Embeddings(String model, List<float[]> vectors, int tokens, int truncated) {
}
