package ai.universal.ml;

/**
 * A piece of a text: a sentence, a word or a word piece, with its character offsets in the original.
 *
 * @param text  the piece as it appears (a word piece as the tokenizer writes it, e.g. {@code ##ing})
 * @param start offset of its first char
 * @param end   offset after its last char
 */
public record TextSpan(String text, int start, int end) {
}
