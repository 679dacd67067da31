package ai.universal.ml;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;

import opennlp.tools.langdetect.Language;
import opennlp.tools.langdetect.LanguageDetectorME;
import opennlp.tools.langdetect.LanguageDetectorModel;

/**
 * Language identification with OpenNLP's langdetect model (103 languages, ISO 639-3 codes) from
 * {@code opennlp-models-langdetect}. The model is immutable and shared; each call gets its own detector.
 */
public final class LanguageIdentifier {

    static final String RESOURCE = "langdetect-183.bin";

    private final LanguageDetectorModel model;
    private final List<String> languages;
    private final Map<String, String> twoLetter = new HashMap<>();

    private LanguageIdentifier(LanguageDetectorModel model) {
        this.model = model;
        this.languages = List.of(new LanguageDetectorME(model).getSupportedLanguages());
        for (String code : Locale.getISOLanguages()) {
            try {
                twoLetter.put(Locale.of(code).getISO3Language(), code);
            } catch (MissingResourceException ignored) {
                // a code without a three-letter form simply gets no mapping
            }
        }
    }

    /** Load the model from the class path. */
    public static LanguageIdentifier load() {
        return new LanguageIdentifier(ClassPathModels.read(RESOURCE, LanguageDetectorModel::new));
    }

    /** Languages the model knows, as ISO 639-3 codes. */
    public List<String> languages() {
        return languages;
    }

    /**
     * The most likely languages of a text.
     *
     * @param text non-blank text; longer texts (a sentence or more) give much surer answers
     * @param top  how many candidates to return, at least 1
     * @return candidates, most likely first
     */
    public List<LanguageGuess> detect(String text, int top) {
        Language[] ranked = new LanguageDetectorME(model).predictLanguages(text);
        List<LanguageGuess> guesses = new ArrayList<>(Math.min(top, ranked.length));
        for (int i = 0; i < ranked.length && i < top; i++) {
            String code = ranked[i].getLang();
            guesses.add(new LanguageGuess(code, twoLetter.get(code), name(code), ranked[i].getConfidence()));
        }
        return guesses;
    }

    private String name(String code) {
        String two = twoLetter.get(code);
        String name = Locale.of(two == null ? code : two).getDisplayLanguage(Locale.ENGLISH);
        return name.isEmpty() ? code : name;
    }
}
