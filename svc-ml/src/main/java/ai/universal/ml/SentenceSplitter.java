package ai.universal.ml;

import java.util.ArrayList;
import java.util.List;

import opennlp.tools.sentdetect.SentenceDetectorME;
import opennlp.tools.sentdetect.SentenceModel;
import opennlp.tools.util.Span;

/** Splits English text into sentences with OpenNLP's UD-EWT sentence model ({@code opennlp-models-sentdetect-en}). */
public final class SentenceSplitter {

    static final String RESOURCE = "opennlp-en-ud-ewt-sentence-1.3-2.5.4.bin";

    private final SentenceModel model;

    private SentenceSplitter(SentenceModel model) {
        this.model = model;
    }

    /** Load the model from the class path. */
    public static SentenceSplitter load() {
        return new SentenceSplitter(ClassPathModels.read(RESOURCE, SentenceModel::new));
    }

    /**
     * Split a text.
     *
     * @param text the text
     * @return sentences with their offsets, in order
     */
    public List<TextSpan> split(String text) {
        Span[] spans = new SentenceDetectorME(model).sentPosDetect(text);
        List<TextSpan> sentences = new ArrayList<>(spans.length);
        for (Span span : spans) {
            sentences.add(new TextSpan(text.substring(span.getStart(), span.getEnd()), span.getStart(), span.getEnd()));
        }
        return sentences;
    }
}
