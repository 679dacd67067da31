package ai.universal.ml;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SemanticToolsTest {

    private static final EmbeddingModels MODELS = new EmbeddingModels(
            List.of(new EmbeddingModel(TestModels.miniLm(), BatchingPolicy.DEFAULT)), "all-minilm-l6-v2");

    @AfterAll
    static void stopBatchers() {
        MODELS.all().forEach(m -> m.batcher().close());
    }

    @Test
    void similarityRanksTheParaphraseAboveUnrelatedCandidates() throws Exception {
        TextSimilarity.Scores scores = new TextSimilarity(MODELS).compare(
                null, "How do I reset my password?",
                List.of("I forgot my password and need to change it.", "The recipe needs two eggs."), false);
        assertThat(scores.model(), is("all-minilm-l6-v2"));
        assertThat(scores.scores().length, is(2));
        assertThat(scores.scores()[0] - scores.scores()[1], greaterThan(0.3));
        assertThat(scores.tokens(), greaterThan(10));
    }

    @Test
    void zeroShotPicksTheMatchingLabelAndScoresSumToOne() throws Exception {
        ZeroShotClassifier.Classification result = new ZeroShotClassifier(MODELS).classify(
                null, "The team scored in the last minute to win the championship final.",
                List.of("cooking", "sports", "finance"), "This text is about {}.", false);
        assertThat(result.labels().getFirst().label(), is("sports"));
        double sum = result.labels().stream().mapToDouble(ZeroShotClassifier.LabelScore::score).sum();
        assertThat(sum, closeTo(1.0, 1e-9));
        assertThat(result.labels().getFirst().score(), greaterThan(0.5));
    }

    @Test
    void unknownModelNamesTheModelsServed() {
        UnknownModelException e = assertThrows(UnknownModelException.class, () -> MODELS.get("text-embedding-3-small"));
        assertThat(e.getMessage(), is("The model 'text-embedding-3-small' does not exist; models served here: "
                                              + "all-minilm-l6-v2"));
    }

    @Test
    void tooLongInputNamesItsPositionInTheRequest() {
        InputTooLongException e = assertThrows(InputTooLongException.class, () -> MODELS.get(null)
                .embed(List.of("short", "word ".repeat(300)), false));
        assertThat(e.index(), is(1));
        assertThat(e.getMessage(), containsString("input[1] has 302 tokens"));
    }
}
