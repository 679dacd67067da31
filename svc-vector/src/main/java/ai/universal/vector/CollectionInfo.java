package ai.universal.vector;

/**
 * A collection's configuration and current state.
 *
 * @param config      configuration
 * @param points      points visible to the caller (the caller's tenant in a multi-tenant collection)
 * @param diskBytes   bytes of the index on disk (or in memory for in-memory stores)
 * @param segments    Lucene segments
 * @param vectorBytes bytes of the vector data searched in memory (quantized vectors when quantized, else floats)
 */
public record CollectionInfo(CollectionConfig config, long points, long diskBytes, int segments, long vectorBytes) {
}
