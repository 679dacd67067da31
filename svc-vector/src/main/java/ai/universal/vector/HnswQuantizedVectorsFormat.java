package ai.universal.vector;

import java.io.IOException;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104ScalarQuantizedVectorsFormat.ScalarEncoding;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Lucene 10.4's scalar-quantized HNSW format (int8 or int4) with the dimension limit raised to
 * {@value CollectionConfig#MAX_DIMENSION}. Registered through {@code META-INF/services} under {@value #NAME};
 * the encoding is recorded per field by Lucene, so the no-argument instance reads segments of either width.
 */
public final class HnswQuantizedVectorsFormat extends KnnVectorsFormat {

    /** SPI name recorded in each segment. */
    public static final String NAME = "UaiHnswQuantized";

    private final KnnVectorsFormat delegate;

    /** The reading instance (SPI). */
    public HnswQuantizedVectorsFormat() {
        this(Storage.INT8, CollectionConfig.DEFAULT_M, CollectionConfig.DEFAULT_EF_CONSTRUCT);
    }

    /**
     * A writing instance.
     *
     * @param storage     int8 or int4
     * @param m           max connections
     * @param efConstruct beam width
     */
    public HnswQuantizedVectorsFormat(Storage storage, int m, int efConstruct) {
        super(NAME);
        ScalarEncoding encoding = switch (storage) {
            case INT8 -> ScalarEncoding.UNSIGNED_BYTE;
            case INT4 -> ScalarEncoding.PACKED_NIBBLE;
            case FLOAT32 -> throw new IllegalArgumentException("float32 is not quantized");
        };
        this.delegate = new Lucene104HnswScalarQuantizedVectorsFormat(encoding, m, efConstruct);
    }

    /**
     * The format that writes a collection's vectors.
     *
     * @param config collection
     * @return format
     */
    static KnnVectorsFormat forConfig(CollectionConfig config) {
        return config.storage() == Storage.FLOAT32
                ? new HnswFloatVectorsFormat(config.m(), config.efConstruct())
                : new HnswQuantizedVectorsFormat(config.storage(), config.m(), config.efConstruct());
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return delegate.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return delegate.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return CollectionConfig.MAX_DIMENSION;
    }

    @Override
    public String toString() {
        return NAME + "(" + delegate + ")";
    }
}
