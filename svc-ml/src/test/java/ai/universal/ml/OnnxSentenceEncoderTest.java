package ai.universal.ml;

import java.util.ArrayList;
import java.util.List;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OnnxSentenceEncoderTest {

    private final OnnxSentenceEncoder model = TestModels.miniLm();

    @Test
    void paraphrasesAreCloserThanUnrelatedTextsByAClearMargin() {
        float[][] v = embed("A man is playing a guitar.",
                            "Someone is strumming a guitar.",
                            "The stock market fell sharply today.");
        double paraphrase = Cosine.similarity(v[0], v[1]);
        double unrelated = Cosine.similarity(v[0], v[2]);
        assertThat(paraphrase, greaterThan(0.6));
        assertThat(paraphrase - unrelated, greaterThan(0.4));
    }

    @Test
    void vectorsHave384DimensionsAndUnitLength() {
        float[] v = embed("The quick brown fox jumps over the lazy dog.")[0];
        assertThat(v.length, is(384));
        assertThat(Cosine.similarity(v, v), closeTo(1.0, 1e-6));
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        assertThat(Math.sqrt(norm), closeTo(1.0, 1e-5));
    }

    @Test
    void aTextGetsTheSameVectorAloneAndInAPaddedBatch() {
        String text = "Short text.";
        float[] alone = embed(text)[0];
        float[][] batch = embed("A much longer sentence that forces the short one to be padded in the batch tensor.",
                                text,
                                "Another one.");
        for (int d = 0; d < alone.length; d++) {
            assertThat("dimension " + d, (double) batch[1][d], closeTo(alone[d], 1e-5));
        }
    }

    @Test
    void tokenCountsComeFromTheModelTokenizerWithSpecialTokens() {
        assertThat(model.tokenize("Hello world", false).inputTokens(), is(4));
        List<TextSpan> pieces = model.wordPieces("Tokenization works");
        assertThat(pieces.getFirst().text(), is("token"));
        assertThat(pieces.get(1).text(), is("##ization"));
        assertThat(pieces.get(1).start(), is(5));
        assertThat(pieces.get(1).end(), is(12));
    }

    @Test
    void overlongTextIsCutToTheWindowKeepingSepWhenTruncating() {
        String longText = "word ".repeat(400);
        TokenizedText cut = model.tokenize(longText, true);
        assertThat(cut.inputTokens(), is(402));
        assertThat(cut.length(), is(256));
        assertThat(cut.truncated(), is(true));
        assertThat(cut.ids()[255], is(102L));
        assertThat(model.encode(List.of(cut))[0].length, is(384));
    }

    @Test
    void overlongTextIsRejectedWithItsTokenCountWhenNotTruncating() {
        InputTooLongException e = assertThrows(InputTooLongException.class,
                                               () -> model.tokenize("word ".repeat(400), false));
        assertThat(e.tokens(), is(402));
        assertThat(e.maxTokens(), is(256));
    }

    @Test
    void quantisedModelAgreesWithTheFloatModel() {
        String text = "Embeddings map text to vectors.";
        float[] full = embed(text)[0];
        OnnxSentenceEncoder q = TestModels.miniLmQuantised();
        float[] quantised = q.encode(List.of(q.tokenize(text, false)))[0];
        assertThat(quantised.length, is(384));
        assertThat(Cosine.similarity(full, quantised), greaterThan(0.95));
    }

    @Test
    void shortTextVectorMatchesLangchain4jsOwnModelClass() {
        String text = "Vectors should match the reference implementation.";
        float[] reference = new AllMiniLmL6V2EmbeddingModel().embed(text).content().vector();
        float[] ours = embed(text)[0];
        for (int d = 0; d < ours.length; d++) {
            assertThat("dimension " + d, (double) ours[d], closeTo(reference[d], 1e-5));
        }
    }

    private float[][] embed(String... texts) {
        List<TokenizedText> tokenized = new ArrayList<>();
        for (String text : texts) {
            tokenized.add(model.tokenize(text, false));
        }
        return model.encode(tokenized);
    }
}
