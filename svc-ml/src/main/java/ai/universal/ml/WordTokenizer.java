package ai.universal.ml;

import java.util.ArrayList;
import java.util.List;

import opennlp.tools.tokenize.TokenizerME;
import opennlp.tools.tokenize.TokenizerModel;
import opennlp.tools.util.Span;

/** Splits English text into words and punctuation with OpenNLP's UD-EWT tokenizer model. */
public final class WordTokenizer {

    static final String RESOURCE = "opennlp-en-ud-ewt-tokens-1.3-2.5.4.bin";

    private final TokenizerModel model;

    private WordTokenizer(TokenizerModel model) {
        this.model = model;
    }

    /** Load the model from the class path. */
    public static WordTokenizer load() {
        return new WordTokenizer(ClassPathModels.read(RESOURCE, TokenizerModel::new));
    }

    /**
     * Tokenise a text.
     *
     * @param text the text
     * @return tokens with their offsets, in order
     */
    public List<TextSpan> tokenize(String text) {
        Span[] spans = new TokenizerME(model).tokenizePos(text);
        List<TextSpan> tokens = new ArrayList<>(spans.length);
        for (Span span : spans) {
            tokens.add(new TextSpan(text.substring(span.getStart(), span.getEnd()), span.getStart(), span.getEnd()));
        }
        return tokens;
    }
}
