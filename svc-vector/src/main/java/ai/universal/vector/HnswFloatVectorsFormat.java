package ai.universal.vector;

import java.io.IOException;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Lucene's float32 HNSW format with the dimension limit raised to {@value CollectionConfig#MAX_DIMENSION}.
 * Registered through {@code META-INF/services} under {@value #NAME} so segments written with it can be read back;
 * the HNSW parameters matter only when writing, so the no-argument instance reads every segment.
 */
public final class HnswFloatVectorsFormat extends KnnVectorsFormat {

    /** SPI name recorded in each segment. */
    public static final String NAME = "UaiHnswFloat32";

    private final KnnVectorsFormat delegate;

    /** The reading instance (SPI). */
    public HnswFloatVectorsFormat() {
        this(CollectionConfig.DEFAULT_M, CollectionConfig.DEFAULT_EF_CONSTRUCT);
    }

    /**
     * A writing instance.
     *
     * @param m           max connections
     * @param efConstruct beam width
     */
    public HnswFloatVectorsFormat(int m, int efConstruct) {
        super(NAME);
        this.delegate = new Lucene99HnswVectorsFormat(m, efConstruct);
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
