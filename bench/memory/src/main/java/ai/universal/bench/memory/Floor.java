package ai.universal.bench.memory;

import java.io.StringReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import org.postgresql.PGConnection;

/**
 * What svc-memory's search cannot do without (the floor), and the bulk loader for sizes too large to embed one by one
 * on 2 cores.
 * <p>
 * Add floor per memory: embed it, the nearest point of the owner and scope above the dedupe threshold (svc-vector),
 * one INSERT of text and embedding committed (a scratch table) — no history, outbox, events, auth or JSON answer.
 * <p>
 * Search floor per query: embed it (svc-ml over HTTP), the owner's 40 nearest points (svc-vector over HTTP, the same
 * candidate count svc-memory asks for at limit 10), and beside them one plain PostgreSQL full-text query (all of the
 * query's words, {@code websearch_to_tsquery}, ranked by {@code ts_rank_cd}, 40 rows) — the wall time of the two
 * sides run in parallel, as svc-memory runs them. No fusion, no re-read, no auth, no JSON result building.
 * <p>
 * Bulk load: rows written by SQL COPY straight into {@code memory.memories} with their outbox rows in the same
 * transaction, so svc-memory's relay indexes them into svc-vector exactly as it indexes any write. Texts are stored
 * sentences with a new note number; embeddings are the stored sentence's embedding plus small Gaussian noise
 * (cosine ≈ 0.97 to the original, renormalized) — the model would need 90k × 3 ms of both cores.
 */
final class Floor implements AutoCloseable {
    private static final int CANDIDATES = 40;
    private static final int COPY_CHUNK = 10_000;
    private static final double NOISE = 0.0125;

    private final String mlUrl;
    private final String vectorUrl;
    private final String token;
    private final String relayKey;
    private final String owner;
    private final Connection db;
    private final ExecutorService side = Executors.newVirtualThreadPerTaskExecutor();
    /** The timed parts of the two floors. */
    enum Part { SEARCH_EMBED, SEARCH_VECTOR, SEARCH_TEXT, ADD_EMBED, ADD_LOOKUP, ADD_INSERT }

    private final Map<Part, List<Long>> nanos = new EnumMap<>(Part.class);
    private boolean scratch;

    Floor(String mlUrl, String vectorUrl, String token, String relayKey, String databaseUrl, String owner)
            throws SQLException {
        this.mlUrl = mlUrl;
        this.vectorUrl = vectorUrl;
        this.token = token;
        this.relayKey = relayKey;
        this.owner = owner;
        URI uri = URI.create(databaseUrl);
        String user = "postgres";
        String password = null;
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            password = parts.length > 1 ? parts[1] : null;
        }
        this.db = DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":"
                                                      + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath()
                                                      + "?currentSchema=memory", user, password);
    }

    /**
     * One floor search.
     *
     * @param query query text
     */
    void search(String query) {
        CompletableFuture<Long> text = CompletableFuture.supplyAsync(() -> {
            long t = System.nanoTime();
            fullText(query);
            return System.nanoTime() - t;
        }, side);
        long t = System.nanoTime();
        float[] vector = embed(query);
        long e = System.nanoTime();
        JsonNode hits = MemoryBench.post(vectorUrl + "/v1/vectors/collections/memories/search", relayKey,
                                         Map.of("vector", vector, "limit", CANDIDATES, "with_payload", false,
                                                "filter", Map.of("must", List.of(Map.of("key", "owner", "match",
                                                                                        Map.of("value", owner))))));
        long v = System.nanoTime();
        if (hits.path("hits").isEmpty()) {
            throw new IllegalStateException("floor: svc-vector found nothing");
        }
        long textTook = text.join();
        synchronized (this) {
            record(Part.SEARCH_EMBED, e - t);
            record(Part.SEARCH_VECTOR, v - e);
            record(Part.SEARCH_TEXT, textTook);
        }
    }

    /**
     * One add floor: embed the text (svc-ml), its nearest point of the owner (svc-vector batch search, limit 1, the
     * dedupe threshold), then one INSERT of text and embedding committed in PostgreSQL (a scratch table).
     *
     * @param text text
     */
    void add(String text) {
        long t = System.nanoTime();
        float[] vector = embed(text);
        long e = System.nanoTime();
        MemoryBench.post(vectorUrl + "/v1/vectors/collections/memories/search/batch", relayKey,
                         Map.of("searches", List.of(Map.of("vector", vector, "limit", 1, "with_payload", false,
                                                           "score_threshold", 0.9,
                                                           "filter", Map.of("must", List.of(
                                                                   Map.of("key", "owner", "match", Map.of("value", owner)),
                                                                   Map.of("key", "scope", "match",
                                                                          Map.of("any", List.of("default")))))))));
        long v = System.nanoTime();
        try {
            if (!scratch) {
                try (PreparedStatement ps = db.prepareStatement(
                        "CREATE TABLE IF NOT EXISTS floor_adds (id uuid PRIMARY KEY, text text, embedding bytea)")) {
                    ps.execute();
                }
                scratch = true;
            }
            db.setAutoCommit(false);
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO floor_adds VALUES (?, ?, ?)")) {
                ps.setObject(1, UUID.randomUUID());
                ps.setString(2, text);
                ps.setBytes(3, bytes(vector));
                ps.executeUpdate();
            }
            db.commit();
            db.setAutoCommit(true);
        } catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
        long i = System.nanoTime();
        synchronized (this) {
            record(Part.ADD_EMBED, e - t);
            record(Part.ADD_LOOKUP, v - e);
            record(Part.ADD_INSERT, i - v);
        }
    }

    // as svc-memory asks for them: base64 little-endian float32
    private float[] embed(String text) {
        JsonNode embedded = MemoryBench.post(mlUrl + "/v1/embeddings", token,
                                             Map.of("input", List.of(text), "model", "all-minilm-l6-v2",
                                                    "encoding_format", "base64"));
        byte[] bytes = java.util.Base64.getDecoder().decode(embedded.path("data").path(0).path("embedding").asText());
        float[] vector = new float[bytes.length / Float.BYTES];
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }

    private void fullText(String query) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT id FROM memories WHERE owner = ? AND tsv @@ websearch_to_tsquery('english', ?)"
                        + " ORDER BY ts_rank_cd(tsv, websearch_to_tsquery('english', ?), 32) DESC LIMIT ?")) {
            ps.setString(1, owner);
            ps.setString(2, query);
            ps.setString(3, query);
            ps.setInt(4, CANDIDATES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
        } catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }




    private void record(Part part, long took) {
        nanos.computeIfAbsent(part, k -> new ArrayList<>()).add(took);
    }

    /**
     * Median of one part since the last reset, in ms.
     *
     * @param part part
     * @return p50, NaN when nothing was timed
     */
    synchronized double p50(Part part) {
        List<Long> timed = nanos.getOrDefault(part, List.of());
        if (timed.isEmpty()) {
            return Double.NaN;
        }
        return MemoryBench.pct(timed.stream().mapToLong(Long::longValue).toArray(), 50);
    }

    synchronized void resetParts() {
        nanos.clear();
    }

    /**
     * Write {@code n} memories of the owner by SQL COPY, in chunks, each chunk with its outbox rows in one transaction.
     *
     * @param n      how many
     * @param random randomness
     * @return how many were written
     * @throws Exception on failure
     */
    int bulkLoad(int n, Random random) throws Exception {
        List<String> pool = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT text, embedding FROM memories WHERE owner = ? AND embedding IS NOT NULL")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pool.add(rs.getString(1));
                    vectors.add(floats(rs.getBytes(2)));
                }
            }
        }
        if (pool.isEmpty()) {
            throw new IllegalStateException("bulk load needs embedded memories to start from");
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        HexFormat hex = HexFormat.of();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int written = 0;
        db.setAutoCommit(false);
        try {
            for (int from = 0; from < n; from += COPY_CHUNK) {
                int size = Math.min(COPY_CHUNK, n - from);
                StringBuilder csv = new StringBuilder(size * 1900);
                UUID[] ids = new UUID[size];
                for (int i = 0; i < size; i++) {
                    int source = random.nextInt(pool.size());
                    String text = pool.get(source).replaceFirst("\\(note \\d+\\)\\.$", "(note " + random.nextInt(1_000_000)
                            + ").");
                    float[] v = noisy(vectors.get(source), random);
                    ids[i] = UUID.randomUUID();
                    Instant created = now.minusSeconds(random.nextInt(30 * 86400));
                    csv.append(ids[i]).append(',').append(quote(owner)).append(",default,").append(quote(text)).append(",\\x")
                            .append(hex.formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)))).append(',')
                            .append(quote("{\"bulk\": " + (from / COPY_CHUNK) + "}")).append(",0.5,").append(created)
                            .append(',').append(created).append(",1,\\x").append(hex.formatHex(bytes(v)))
                            .append(",all-minilm-l6-v2\n");
                }
                db.unwrap(PGConnection.class).getCopyAPI().copyIn(
                        "COPY memories (id, owner, scope, text, text_hash, metadata, importance, created_at, updated_at,"
                                + " version, embedding, embedding_model) FROM STDIN WITH (FORMAT csv)",
                        new StringReader(csv.toString()));
                try (PreparedStatement ps = db.prepareStatement(
                        "INSERT INTO index_outbox (memory_id, created_at, next_attempt_at) SELECT id, now(), now()"
                                + " FROM unnest(?::uuid[]) id")) {
                    ps.setArray(1, db.createArrayOf("uuid", ids));
                    ps.executeUpdate();
                }
                db.commit();
                written += size;
            }
        } finally {
            db.setAutoCommit(true);
        }
        return written;
    }

    @Override
    public void close() throws SQLException {
        side.close();
        db.close();
    }

    private static float[] noisy(float[] v, Random random) {
        float[] out = new float[v.length];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] + NOISE * random.nextGaussian());
            norm += out[i] * out[i];
        }
        double scale = 1 / Math.sqrt(norm);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (out[i] * scale);
        }
        return out;
    }

    private static String quote(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static byte[] bytes(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            buf.putFloat(f);
        }
        return buf.array();
    }

    private static float[] floats(byte[] b) {
        java.nio.FloatBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[buf.remaining()];
        buf.get(v);
        return v;
    }

}
