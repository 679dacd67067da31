package ai.universal.vector;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.BytesRef;

/**
 * One collection: a Lucene index with an HNSW vector field, stored payloads and their filter fields.
 * Owns its IndexWriter, SearcherManager and snapshot policy; close it to release them.
 * <p>
 * Contract:
 * <ul>
 *     <li>upsert / delete return only after a commit covers them (group commit), so an acknowledged write
 *     survives a crash; a batch is validated whole before anything is written and is added as one block</li>
 *     <li>searches see acknowledged writes after the store's refresh interval, or at once when the write asked to wait</li>
 *     <li>in a multi-tenant collection every operation is confined to the caller's tenant</li>
 * </ul>
 */
public final class Collection implements AutoCloseable {

    /** Largest k (limit + offset) of a search and largest page of a scroll. */
    public static final int MAX_LIMIT = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char TENANT_SEPARATOR = '\u001f';
    private static final String SUFFIX_QUANTIZED = ".veq";
    private static final String SUFFIX_FLOAT = ".vec";

    private final CollectionConfig config;
    private final Directory directory;
    private final IndexWriter writer;
    private final SnapshotDeletionPolicy snapshots;
    private final SearcherManager searchers;
    private final GroupCommit commits;
    private final Analyzer analyzer = new StandardAnalyzer();
    private final int maxBatch;

    /**
     * Opens (or creates) the index in a directory.
     *
     * @param config    configuration
     * @param directory where the index lives; closed with the collection
     * @param maxBatch  largest upsert batch
     * @throws IOException when the index cannot be opened
     */
    public Collection(CollectionConfig config, Directory directory, int maxBatch) throws IOException {
        this.config = config;
        this.directory = directory;
        this.maxBatch = maxBatch;
        KnnVectorsFormat format = HnswQuantizedVectorsFormat.forConfig(config);
        IndexWriterConfig iwc = new IndexWriterConfig(analyzer)
                .setCodec(new Lucene104Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return format;
                    }
                })
                .setIndexDeletionPolicy(new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy()))
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setUseCompoundFile(false)
                .setMergePolicy(noCompoundFiles())
                .setRAMBufferSizeMB(64);
        this.writer = new IndexWriter(directory, iwc);
        this.snapshots = (SnapshotDeletionPolicy) writer.getConfig().getIndexDeletionPolicy();
        this.commits = new GroupCommit(writer);
        commits.afterCommit(() -> null);
        this.searchers = new SearcherManager(writer, null);
    }

    private static TieredMergePolicy noCompoundFiles() {
        TieredMergePolicy mp = new TieredMergePolicy();
        mp.setNoCFSRatio(0.0);
        return mp;
    }

    /**
     * The configuration.
     *
     * @return config
     */
    public CollectionConfig config() {
        return config;
    }

    /**
     * Inserts or replaces points, all or none, and returns once they are durable.
     *
     * @param tenant  caller's tenant (ignored unless multi-tenant)
     * @param points  points; a later duplicate id replaces an earlier one
     * @param waitVisible also wait until searches see them
     * @return the operation's sequence number
     */
    public long upsert(String tenant, List<Point> points, boolean waitVisible) {
        String t = tenant(tenant);
        if (points == null || points.isEmpty()) {
            throw VectorException.badRequest("points must contain at least one point");
        }
        if (points.size() > maxBatch) {
            throw VectorException.tooLarge("batch has " + points.size() + " points; the limit is " + maxBatch);
        }
        Map<PointId, Point> unique = new LinkedHashMap<>();
        for (Point p : points) {
            unique.put(p.id(), p);
        }
        List<Document> docs = new ArrayList<>(unique.size());
        List<BytesRef> uids = new ArrayList<>(unique.size());
        int i = 0;
        for (Point p : points) {
            if (unique.get(p.id()) == p) {
                docs.add(document(t, p, "points[" + i + "]"));
                uids.add(new BytesRef(uid(t, p.id())));
            }
            i++;
        }
        return write(() -> writer.updateDocuments(new TermInSetQuery(IndexFields.UID, uids), docs), waitVisible);
    }

    /**
     * Deletes points by id; unknown ids are ignored.
     *
     * @param tenant      tenant
     * @param ids         ids
     * @param waitVisible wait until searches no longer see them
     * @return sequence number
     */
    public long delete(String tenant, List<PointId> ids, boolean waitVisible) {
        String t = tenant(tenant);
        if (ids == null || ids.isEmpty()) {
            throw VectorException.badRequest("points must contain at least one id");
        }
        if (ids.size() > maxBatch) {
            throw VectorException.tooLarge("delete has " + ids.size() + " ids; the limit is " + maxBatch);
        }
        Term[] terms = ids.stream().map(id -> new Term(IndexFields.UID, uid(t, id))).toArray(Term[]::new);
        return write(() -> writer.deleteDocuments(terms), waitVisible);
    }

    /**
     * Deletes the caller's points that match a filter.
     *
     * @param tenant      tenant
     * @param filter      filter JSON (required; {@code {}} matches everything)
     * @param waitVisible wait until searches no longer see them
     * @return sequence number
     */
    public long deleteByFilter(String tenant, JsonNode filter, boolean waitVisible) {
        String t = tenant(tenant);
        if (filter == null || filter.isNull()) {
            throw VectorException.badRequest("filter is required");
        }
        Query q = base(t, filter);
        return write(() -> writer.deleteDocuments(q), waitVisible);
    }

    /**
     * Points by id, in the order asked, skipping ids that do not exist.
     *
     * @param tenant      tenant
     * @param ids         ids
     * @param withPayload include payloads
     * @param withVector  include vectors
     * @return points
     */
    public List<Point> get(String tenant, List<PointId> ids, boolean withPayload, boolean withVector) {
        String t = tenant(tenant);
        if (ids == null) {
            throw VectorException.badRequest("ids is required");
        }
        if (ids.size() > MAX_LIMIT) {
            throw VectorException.tooLarge("at most " + MAX_LIMIT + " ids per request, got " + ids.size());
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        List<BytesRef> uids = ids.stream().map(id -> new BytesRef(uid(t, id))).toList();
        return withSearcher(s -> {
            TopDocs td = s.search(new TermInSetQuery(IndexFields.UID, uids), ids.size());
            Map<PointId, Point> found = new HashMap<>();
            for (Point p : load(s, td.scoreDocs, withPayload, withVector)) {
                found.put(p.id(), p);
            }
            List<Point> out = new ArrayList<>();
            for (PointId id : new LinkedHashMap<PointId, Boolean>(ids.stream()
                    .collect(LinkedHashMap::new, (m, x) -> m.put(x, true), Map::putAll)).keySet()) {
                Point p = found.get(id);
                if (p != null) {
                    out.add(p);
                }
            }
            return out;
        });
    }

    /**
     * A page of points in id order (integers first, numerically, then strings).
     *
     * @param tenant      tenant
     * @param filter      filter or null
     * @param limit       page size
     * @param offset      first id of the page, or null to start
     * @param withPayload include payloads
     * @param withVector  include vectors
     * @return page with the next offset
     */
    public ScrollPage scroll(String tenant, JsonNode filter, int limit, PointId offset, boolean withPayload,
                             boolean withVector) {
        String t = tenant(tenant);
        checkLimit(limit, "limit");
        Query base = base(t, filter);
        Query q = base;
        if (offset != null) {
            q = new BooleanQuery.Builder()
                    .add(base, BooleanClause.Occur.FILTER)
                    .add(new TermRangeQuery(IndexFields.KEY, new BytesRef(offset.key()), null, true, false),
                         BooleanClause.Occur.FILTER)
                    .build();
        }
        Query query = q;
        return withSearcher(s -> {
            TopDocs td = s.search(query, limit + 1, new Sort(new SortField(IndexFields.KEY, SortField.Type.STRING)));
            ScoreDoc[] docs = td.scoreDocs;
            PointId next = null;
            if (docs.length > limit) {
                next = PointId.fromKey(s.storedFields().document(docs[limit].doc, Set.of(IndexFields.KEY))
                                               .get(IndexFields.KEY));
                docs = Arrays.copyOf(docs, limit);
            }
            return new ScrollPage(load(s, docs, withPayload, withVector), next);
        });
    }

    /**
     * Counts the caller's points matching a filter.
     *
     * @param tenant tenant
     * @param filter filter or null
     * @return count
     */
    public long count(String tenant, JsonNode filter) {
        Query q = base(tenant(tenant), filter);
        return withSearcher(s -> (long) s.count(q));
    }

    /**
     * k nearest neighbours, filtered, re-scored exactly and returned as raw similarity or distance.
     *
     * @param tenant tenant
     * @param r      request
     * @return hits, closest first
     */
    public List<ScoredPoint> search(String tenant, SearchRequest r) {
        String t = tenant(tenant);
        if (r.limit() < 1) {
            throw VectorException.badRequest("limit must be at least 1, got " + r.limit());
        }
        if (r.offset() < 0) {
            throw VectorException.badRequest("offset must not be negative, got " + r.offset());
        }
        int k = r.limit() + r.offset();
        if (r.limit() > MAX_LIMIT || k > MAX_LIMIT) {
            throw VectorException.badRequest("limit + offset must be at most " + MAX_LIMIT + ", got " + k);
        }
        if (r.ef() != null && (r.ef() < 1 || r.ef() > CollectionConfig.MAX_EF)) {
            throw VectorException.badRequest("ef must be between 1 and " + CollectionConfig.MAX_EF + ", got " + r.ef());
        }
        if (r.scoreThreshold() != null && !Float.isFinite(r.scoreThreshold())) {
            throw VectorException.badRequest("score_threshold must be a finite number");
        }
        Vectors.check(r.vector(), config.dimension(), "vector");
        float[] q = config.distance().prepare(r.vector(), "vector");
        Query filter = filterOrNull(t, r.filter());
        int candidates = Math.max(k, r.ef() == null ? config.efSearch() : r.ef());
        return withSearcher(s -> {
            TopDocs td = s.search(new KnnFloatVectorQuery(IndexFields.VECTOR, q, candidates, filter), candidates);
            List<Hit> hits = rescore(s, q, td.scoreDocs);
            List<Hit> out = new ArrayList<>(r.limit());
            for (int i = r.offset(); i < hits.size() && out.size() < r.limit(); i++) {
                Hit h = hits.get(i);
                if (r.scoreThreshold() != null && !config.distance().passes(h.score(), r.scoreThreshold())) {
                    break;
                }
                out.add(h);
            }
            return decorate(s, out, r.withPayload(), r.withVector());
        });
    }

    /**
     * Several searches against one point-in-time view.
     *
     * @param tenant   tenant
     * @param requests searches
     * @return one hit list per search
     */
    public List<List<ScoredPoint>> searchBatch(String tenant, List<SearchRequest> requests) {
        if (requests == null || requests.isEmpty()) {
            throw VectorException.badRequest("searches must contain at least one search");
        }
        if (requests.size() > 100) {
            throw VectorException.tooLarge("at most 100 searches per batch, got " + requests.size());
        }
        List<List<ScoredPoint>> out = new ArrayList<>();
        for (SearchRequest r : requests) {
            out.add(search(tenant, r));
        }
        return out;
    }

    /**
     * BM25 over the text field and kNN over the vector, fused by reciprocal rank.
     *
     * @param tenant tenant
     * @param r      request
     * @return fused hits; score is the fused RRF score
     */
    public List<ScoredPoint> hybrid(String tenant, HybridRequest r) {
        String t = tenant(tenant);
        if (config.textField() == null) {
            throw VectorException.badRequest("collection '" + config.name()
                    + "' has no text_field; create it with text_field to use hybrid search");
        }
        if (r.text() == null || r.text().isBlank()) {
            throw VectorException.badRequest("text is required for hybrid search");
        }
        if (r.limit() < 1 || r.limit() > MAX_LIMIT) {
            throw VectorException.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + r.limit());
        }
        if (r.candidates() < r.limit() || r.candidates() > CollectionConfig.MAX_EF) {
            throw VectorException.badRequest("candidates must be between limit and " + CollectionConfig.MAX_EF);
        }
        if (!(r.vectorWeight() >= 0) || !(r.textWeight() >= 0) || r.vectorWeight() + r.textWeight() == 0
                || !Float.isFinite(r.vectorWeight()) || !Float.isFinite(r.textWeight())) {
            throw VectorException.badRequest("weights must be finite, non-negative and not both zero");
        }
        if (r.rrfK() < 1) {
            throw VectorException.badRequest("rrf_k must be at least 1, got " + r.rrfK());
        }
        Vectors.check(r.vector(), config.dimension(), "vector");
        float[] q = config.distance().prepare(r.vector(), "vector");
        Query base = base(t, r.filter());
        List<String> terms = FilterParser.analyze(analyzer, r.text());
        if (terms.isEmpty()) {
            throw VectorException.badRequest("text has no searchable words");
        }
        BooleanQuery.Builder words = new BooleanQuery.Builder();
        for (String term : terms) {
            words.add(new TermQuery(new Term(IndexFields.TEXT, term)), BooleanClause.Occur.SHOULD);
        }
        Query bm25 = new BooleanQuery.Builder()
                .add(words.build(), BooleanClause.Occur.MUST)
                .add(base, BooleanClause.Occur.FILTER)
                .build();
        return withSearcher(s -> {
            TopDocs knn = s.search(new KnnFloatVectorQuery(IndexFields.VECTOR, q, r.candidates(), base), r.candidates());
            TopDocs text = s.search(bm25, r.candidates());
            TopDocs fused = r.vectorWeight() == r.textWeight()
                    ? TopDocs.rrf(r.limit(), r.rrfK(), new TopDocs[] {knn, text})
                    : weightedRrf(r, knn, text);
            List<Hit> out = new ArrayList<>();
            for (ScoreDoc sd : fused.scoreDocs) {
                out.add(new Hit(sd.doc, sd.score));
            }
            return decorate(s, out, r.withPayload(), r.withVector());
        });
    }

    /**
     * Configuration, point count (the caller's, when multi-tenant), size.
     *
     * @param tenant caller's tenant
     * @return info
     */
    public CollectionInfo info(String tenant) {
        long points = config.multiTenant() && (tenant == null || tenant.isBlank()) ? 0 : count(tenant, null);
        int segments = withSearcher(s -> s.getIndexReader().leaves().size());
        long disk = 0;
        long vectors = 0;
        String vectorSuffix = config.storage() == Storage.FLOAT32 ? SUFFIX_FLOAT : SUFFIX_QUANTIZED;
        try {
            for (String f : directory.listAll()) {
                try {
                    long len = directory.fileLength(f);
                    disk += len;
                    if (f.endsWith(vectorSuffix)) {
                        vectors += len;
                    }
                } catch (java.nio.file.NoSuchFileException ignored) {
                    // merged away while listing
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CollectionInfo(config, points, disk, segments, vectors);
    }

    /**
     * Commits made and writes that waited for one (their ratio shows how well group commit batches).
     *
     * @return {commits, writes}
     */
    public long[] commitStats() {
        return new long[] {commits.commits(), commits.waits()};
    }

    /**
     * Merges the index down to at most {@code maxSegments} segments (after a bulk load: fewer, larger HNSW graphs
     * search faster), then commits and refreshes.
     *
     * @param maxSegments target segment count, at least 1
     */
    public void optimize(int maxSegments) {
        if (maxSegments < 1) {
            throw VectorException.badRequest("max_segments must be at least 1, got " + maxSegments);
        }
        try {
            writer.forceMerge(maxSegments);
            commits.afterCommit(() -> null);
            searchers.maybeRefreshBlocking();
        } catch (AlreadyClosedException e) {
            throw VectorException.notFound("collection '" + config.name() + "' was deleted or replaced");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes every write acknowledged before this call visible to searches. When the background refresher is refreshing
     * at that moment, this waits for it and refreshes again if needed (a non-blocking refresh would return at once,
     * and a search right after could miss the last writes).
     */
    public void refresh() {
        refresh(true);
    }

    /**
     * The background refresher's tick: makes recent writes visible, unless a refresh is already in progress (then the
     * next tick does it).
     */
    void refreshInBackground() {
        refresh(false);
    }

    private void refresh(boolean wait) {
        try {
            if (wait) {
                searchers.maybeRefreshBlocking();
            } else {
                searchers.maybeRefresh();
            }
        } catch (AlreadyClosedException ignored) {
            // closed between the caller's lookup of this collection and this call
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a consistent point-in-time copy (the last commit, which holds every acknowledged write) as a zip
     * archive: {@code collection.json} and {@code index/<lucene file>}. Writers keep going meanwhile.
     *
     * @param out where the archive goes (not closed)
     * @throws IOException on I/O failure
     */
    public void writeSnapshot(OutputStream out) throws IOException {
        IndexCommit commit = commits.afterCommit(snapshots::snapshot);
        try {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.putNextEntry(new ZipEntry("collection.json"));
            zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config.toJson()));
            zip.closeEntry();
            byte[] buf = new byte[64 * 1024];
            for (String file : commit.getFileNames()) {
                zip.putNextEntry(new ZipEntry("index/" + file));
                try (IndexInput in = directory.openInput(file, IOContext.READONCE)) {
                    long left = in.length();
                    while (left > 0) {
                        int n = (int) Math.min(buf.length, left);
                        in.readBytes(buf, 0, n);
                        zip.write(buf, 0, n);
                        left -= n;
                    }
                }
                zip.closeEntry();
            }
            zip.finish();
        } finally {
            snapshots.release(commit);
            writer.deleteUnusedFiles();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            searchers.close();
        } finally {
            try {
                writer.close();
            } finally {
                directory.close();
            }
        }
    }

    private Document document(String tenant, Point p, String what) {
        if (p.id() == null) {
            throw VectorException.badRequest(what + ".id is required");
        }
        Vectors.check(p.vector(), config.dimension(), what + ".vector");
        float[] v = config.distance().prepare(p.vector(), what + ".vector");
        ObjectNode payload = p.payload() == null ? JsonNodeFactory.instance.objectNode() : p.payload();
        Document doc = new Document();
        String key = p.id().key();
        doc.add(new StringField(IndexFields.UID, uid(tenant, p.id()), Field.Store.NO));
        doc.add(new StringField(IndexFields.KEY, key, Field.Store.YES));
        doc.add(new SortedDocValuesField(IndexFields.KEY, new BytesRef(key)));
        if (config.multiTenant()) {
            doc.add(new StringField(IndexFields.TENANT, tenant, Field.Store.NO));
        }
        doc.add(new KnnFloatVectorField(IndexFields.VECTOR, v, config.distance().lucene()));
        try {
            doc.add(new StoredField(IndexFields.PAYLOAD, new BytesRef(JSON.writeValueAsBytes(payload))));
        } catch (IOException e) {
            throw VectorException.badRequest(what + ".payload cannot be serialized");
        }
        PayloadFields.index(payload, doc);
        if (config.textField() != null) {
            JsonNode text = payload.get(config.textField());
            if (text != null && text.isTextual()) {
                doc.add(new TextField(IndexFields.TEXT, text.textValue(), Field.Store.NO));
            }
        }
        return doc;
    }

    private String tenant(String tenant) {
        if (!config.multiTenant()) {
            return "";
        }
        if (tenant == null || tenant.isBlank()) {
            throw VectorException.forbidden("collection '" + config.name() + "' is multi-tenant and the caller has no tenant");
        }
        return tenant;
    }

    private static String uid(String tenant, PointId id) {
        return tenant + TENANT_SEPARATOR + id.key();
    }

    private Query filterOrNull(String tenant, JsonNode filter) {
        Query f = FilterParser.parse(filter, config.textField(), analyzer);
        if (!config.multiTenant()) {
            return f;
        }
        Query t = new TermQuery(new Term(IndexFields.TENANT, tenant));
        if (f == null) {
            return t;
        }
        return new BooleanQuery.Builder().add(t, BooleanClause.Occur.FILTER).add(f, BooleanClause.Occur.FILTER).build();
    }

    private Query base(String tenant, JsonNode filter) {
        Query q = filterOrNull(tenant, filter);
        return q == null ? new MatchAllDocsQuery() : q;
    }

    private static void checkLimit(int limit, String what) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw VectorException.badRequest(what + " must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    private long write(IoSupplierLong op, boolean waitVisible) {
        try {
            long seq = op.get();
            commits.awaitDurable(seq);
            if (waitVisible) {
                searchers.maybeRefreshBlocking();
            }
            return seq;
        } catch (AlreadyClosedException e) {
            throw VectorException.notFound("collection '" + config.name() + "' was deleted or replaced");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T withSearcher(IoFunction<T> f) {
        IndexSearcher s;
        try {
            s = searchers.acquire();
        } catch (AlreadyClosedException e) {
            throw VectorException.notFound("collection '" + config.name() + "' was deleted or replaced");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return f.apply(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                searchers.release(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private List<Hit> rescore(IndexSearcher s, float[] q, ScoreDoc[] docs) throws IOException {
        Distance d = config.distance();
        List<Hit> hits = new ArrayList<>(docs.length);
        float[][] vectors = vectors(s, docs);
        for (int i = 0; i < docs.length; i++) {
            hits.add(new Hit(docs[i].doc, d.score(q, vectors[i])));
        }
        Comparator<Hit> order = Comparator.comparingDouble(Hit::score);
        hits.sort(d.higherIsCloser() ? order.reversed() : order);
        return hits;
    }

    private float[][] vectors(IndexSearcher s, ScoreDoc[] docs) throws IOException {
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        float[][] out = new float[docs.length][];
        Integer[] order = new Integer[docs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> docs[i].doc));
        int leafIndex = -1;
        FloatVectorValues values = null;
        KnnVectorValues.DocIndexIterator it = null;
        LeafReaderContext leaf = null;
        for (int i : order) {
            int doc = docs[i].doc;
            int li = ReaderUtil.subIndex(doc, leaves);
            if (li != leafIndex) {
                leafIndex = li;
                leaf = leaves.get(li);
                values = leaf.reader().getFloatVectorValues(IndexFields.VECTOR);
                it = values == null ? null : values.iterator();
            }
            int target = doc - leaf.docBase;
            if (it != null && (it.docID() == target || (it.docID() < target && it.advance(target) == target))) {
                out[i] = values.vectorValue(it.index()).clone();
            } else {
                throw new IOException("document " + doc + " has no vector");
            }
        }
        return out;
    }

    private List<ScoredPoint> decorate(IndexSearcher s, List<Hit> hits, boolean withPayload, boolean withVector)
            throws IOException {
        ScoreDoc[] docs = new ScoreDoc[hits.size()];
        for (int i = 0; i < docs.length; i++) {
            docs[i] = new ScoreDoc(hits.get(i).doc(), hits.get(i).score());
        }
        List<Point> points = load(s, docs, withPayload, withVector);
        List<ScoredPoint> out = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            out.add(new ScoredPoint(p.id(), hits.get(i).score(), p.vector(), p.payload()));
        }
        return out;
    }

    private List<Point> load(IndexSearcher s, ScoreDoc[] docs, boolean withPayload, boolean withVector) throws IOException {
        StoredFields stored = s.storedFields();
        Set<String> fields = withPayload ? Set.of(IndexFields.KEY, IndexFields.PAYLOAD) : Set.of(IndexFields.KEY);
        float[][] vectors = withVector ? vectors(s, docs) : null;
        List<Point> out = new ArrayList<>(docs.length);
        for (int i = 0; i < docs.length; i++) {
            Document d = stored.document(docs[i].doc, fields);
            PointId id = PointId.fromKey(d.get(IndexFields.KEY));
            ObjectNode payload = null;
            if (withPayload) {
                BytesRef b = d.getBinaryValue(IndexFields.PAYLOAD);
                payload = (ObjectNode) JSON.readTree(new String(b.bytes, b.offset, b.length, StandardCharsets.UTF_8));
            }
            out.add(new Point(id, vectors == null ? null : vectors[i], payload));
        }
        return out;
    }

    private TopDocs weightedRrf(HybridRequest r, TopDocs knn, TopDocs text) {
        Map<Integer, Float> scores = new HashMap<>();
        float[] weights = {r.vectorWeight(), r.textWeight()};
        TopDocs[] lists = {knn, text};
        for (int l = 0; l < lists.length; l++) {
            ScoreDoc[] sd = lists[l].scoreDocs;
            for (int rank = 0; rank < sd.length; rank++) {
                float add = weights[l] / (r.rrfK() + rank + 1);
                scores.merge(sd[rank].doc, add, Float::sum);
            }
        }
        ScoreDoc[] fused = scores.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<Integer, Float>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(r.limit())
                .map(e -> new ScoreDoc(e.getKey(), e.getValue()))
                .toArray(ScoreDoc[]::new);
        return new TopDocs(new TotalHits(fused.length, TotalHits.Relation.EQUAL_TO), fused);
    }

    /** A hit before its id and payload are loaded. */
    private record Hit(int doc, float score) {
    }

    @FunctionalInterface
    private interface IoSupplierLong {
        long get() throws IOException;
    }

    @FunctionalInterface
    private interface IoFunction<T> {
        T apply(IndexSearcher s) throws IOException;
    }
}
