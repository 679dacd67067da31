package ai.universal.ml;

/**
 * Every model the service answers with, loaded.
 *
 * @param embeddings embedding models behind their batchers
 * @param languages  language identification
 * @param sentences  sentence splitting
 * @param words      word tokenisation
 */
public record LoadedModels(EmbeddingModels embeddings,
                           LanguageIdentifier languages,
                           SentenceSplitter sentences,
                           WordTokenizer words) implements AutoCloseable {

    /**
     * Load everything from the class path as configured.
     *
     * @param config settings
     * @return the models
     */
    public static LoadedModels load(MlConfig config) {
        LanguageIdentifier languages = LanguageIdentifier.load();
        SentenceSplitter sentences = SentenceSplitter.load();
        WordTokenizer words = WordTokenizer.load();
        EmbeddingModels embeddings = EmbeddingModels.load(config.models(), config.defaultModel(), config.batching(),
                                                          config.intraOpThreads());
        return new LoadedModels(embeddings, languages, sentences, words);
    }

    @Override
    public void close() {
        embeddings.close();
    }
}
