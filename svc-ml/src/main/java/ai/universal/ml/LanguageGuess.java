package ai.universal.ml;

/**
 * One candidate language for a text.
 *
 * @param language   ISO 639-3 code as the OpenNLP model names it (e.g. {@code eng}, {@code deu}, {@code cmn})
 * @param iso6391    the two-letter ISO 639-1 code where one exists, else null
 * @param name       English name where the JDK knows the code, else the code
 * @param confidence the model's probability, 0..1; all candidates sum to 1
 */
public record LanguageGuess(String language, String iso6391, String name, double confidence) {
}
