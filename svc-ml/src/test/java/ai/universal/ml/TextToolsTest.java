package ai.universal.ml;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

class TextToolsTest {

    private static final LanguageIdentifier LANGUAGES = LanguageIdentifier.load();
    private static final SentenceSplitter SENTENCES = SentenceSplitter.load();
    private static final WordTokenizer WORDS = WordTokenizer.load();

    @Test
    void detectsAHandfulOfLanguagesWithIso6393Codes() {
        assertTop("eng", "en", "English", "The weather is lovely today and we are going for a walk in the park.");
        assertTop("deu", "de", "German", "Das Wetter ist heute schön und wir gehen im Park spazieren.");
        assertTop("fra", "fr", "French", "Il fait beau aujourd'hui et nous allons nous promener dans le parc.");
        assertTop("spa", "es", "Spanish", "Hoy hace buen tiempo y vamos a dar un paseo por el parque.");
        assertTop("ita", "it", "Italian", "Oggi il tempo è bello e andiamo a fare una passeggiata nel parco.");
        assertTop("rus", "ru", "Russian", "Сегодня хорошая погода, и мы идём гулять в парк.");
    }

    @Test
    void topNCandidatesAreSortedAndAreProbabilities() {
        List<LanguageGuess> guesses = LANGUAGES.detect("Guten Morgen, wie geht es dir heute?", 3);
        assertThat(guesses.size(), is(3));
        assertThat(guesses.get(0).confidence() >= guesses.get(1).confidence(), is(true));
        assertThat(guesses.get(1).confidence() >= guesses.get(2).confidence(), is(true));
        assertThat(guesses.get(0).confidence() <= 1.0, is(true));
        assertThat(LANGUAGES.languages().size(), is(103));
    }

    @Test
    void languageWithoutTwoLetterCodeKeepsItsThreeLetterCode() {
        LanguageGuess mandarin = LANGUAGES.detect("今天天气很好，我们去公园散步吧。我很喜欢这个城市。", 1).getFirst();
        assertThat(mandarin.language(), is("cmn"));
        assertThat(mandarin.iso6391(), is(nullValue()));
    }

    @Test
    void splitsSentencesWithOffsets() {
        String text = "Mr. Smith arrived on Monday. He was late! Was anyone waiting?";
        List<TextSpan> sentences = SENTENCES.split(text);
        assertThat(sentences.stream().map(TextSpan::text).toList(),
                   is(List.of("Mr. Smith arrived on Monday.", "He was late!", "Was anyone waiting?")));
        TextSpan second = sentences.get(1);
        assertThat(text.substring(second.start(), second.end()), is("He was late!"));
    }

    @Test
    void tokenizesWordsAndPunctuationWithOffsets() {
        String text = "Don't stop, it's 3.5 km away.";
        List<TextSpan> tokens = WORDS.tokenize(text);
        List<String> words = tokens.stream().map(TextSpan::text).toList();
        assertThat(words, hasItems("stop", ",", "3.5", "km", "away", "."));
        for (TextSpan token : tokens) {
            assertThat(text.substring(token.start(), token.end()), is(token.text()));
        }
    }

    private static void assertTop(String code, String twoLetter, String name, String text) {
        LanguageGuess top = LANGUAGES.detect(text, 1).getFirst();
        assertThat(text, top.language(), is(code));
        assertThat(top.iso6391(), is(twoLetter));
        assertThat(top.name(), is(name));
        assertThat(top.confidence(), greaterThan(0.0));
    }
}
