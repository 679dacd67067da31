package ai.universal.vector;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;

/**
 * All collections of one service and their snapshots.
 * <p>
 * On disk: {@code <data>/collections/<name>/collection.json} and {@code .../index/} (Lucene), and
 * {@code <data>/snapshots/<name>/<snapshot>.snapshot} with a {@code .sha256} beside it. An in-memory store keeps
 * indexes in {@link ByteBuffersDirectory} (tests) and snapshots in a given folder.
 * <p>
 * Operations: create / get / list / delete collections; create / list / open / delete snapshots; restore a
 * snapshot (stored or uploaded) into a new collection or over an existing one. A background task refreshes
 * searchers every {@code refreshInterval}.
 */
public final class VectorStore implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VectorStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter SNAPSHOT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss-SSS").withZone(ZoneOffset.UTC);
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,200}\\.snapshot");
    private static final String CONFIG_FILE = "collection.json";

    private final Path dataDir;
    private final Path snapshotDir;
    private final int maxBatch;
    private final Map<String, Collection> collections = new ConcurrentHashMap<>();
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final ScheduledExecutorService refresher;
    private volatile boolean open = true;

    private VectorStore(Path dataDir, Path snapshotDir, Duration refreshInterval, int maxBatch) throws IOException {
        this.dataDir = dataDir;
        this.snapshotDir = snapshotDir;
        this.maxBatch = maxBatch;
        Files.createDirectories(snapshotDir);
        if (dataDir != null) {
            Path root = dataDir.resolve("collections");
            Files.createDirectories(root);
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
                for (Path dir : dirs) {
                    Path cfg = dir.resolve(CONFIG_FILE);
                    if (Files.exists(cfg)) {
                        CollectionConfig config = CollectionConfig.fromJson(dir.getFileName().toString(),
                                                                            JSON.readTree(cfg.toFile()));
                        collections.put(config.name(), new Collection(config, FSDirectory.open(dir.resolve("index")),
                                                                      maxBatch));
                    }
                }
            }
        }
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vector-refresh");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, refreshInterval.toMillis());
        refresher.scheduleWithFixedDelay(this::refreshAll, ms, ms, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "vector store opened: {0} collections", collections.size());
    }

    /**
     * A store persisted under a folder.
     *
     * @param dataDir         data folder
     * @param refreshInterval how soon searches see acknowledged writes
     * @param maxBatch        largest upsert batch
     * @return store
     * @throws IOException when the folder cannot be used
     */
    public static VectorStore open(Path dataDir, Duration refreshInterval, int maxBatch) throws IOException {
        return new VectorStore(dataDir, dataDir.resolve("snapshots"), refreshInterval, maxBatch);
    }

    /**
     * A store whose indexes live in memory (tests); snapshots still go to a folder.
     *
     * @param snapshotDir     snapshot folder
     * @param refreshInterval refresh interval
     * @param maxBatch        largest upsert batch
     * @return store
     * @throws IOException when the folder cannot be used
     */
    public static VectorStore inMemory(Path snapshotDir, Duration refreshInterval, int maxBatch) throws IOException {
        return new VectorStore(null, snapshotDir, refreshInterval, maxBatch);
    }

    /**
     * Creates a collection.
     *
     * @param config configuration
     * @return the collection
     */
    public Collection create(CollectionConfig config) {
        lifecycle.lock();
        try {
            if (collections.containsKey(config.name())) {
                throw VectorException.conflict("collection '" + config.name() + "' already exists");
            }
            Collection c = open(config, null);
            collections.put(config.name(), c);
            LOG.log(System.Logger.Level.INFO, "created collection {0} ({1} dims, {2}, {3})", config.name(),
                    config.dimension(), config.distance().wireName(), config.storage().wireName());
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * A collection by name.
     *
     * @param name name
     * @return collection
     */
    public Collection get(String name) {
        Collection c = collections.get(name);
        if (c == null) {
            CollectionConfig.checkName(name);
            throw VectorException.notFound("collection '" + name + "' does not exist");
        }
        return c;
    }

    /**
     * Whether a collection exists.
     *
     * @param name name
     * @return true when it exists
     */
    public boolean exists(String name) {
        return collections.containsKey(name);
    }

    /**
     * Every collection's configuration, by name.
     *
     * @return configs
     */
    public List<CollectionConfig> list() {
        return collections.values().stream().map(Collection::config)
                .sorted(Comparator.comparing(CollectionConfig::name)).toList();
    }

    /**
     * Deletes a collection and its data (its snapshots stay).
     *
     * @param name name
     * @return false when there was no such collection
     */
    public boolean delete(String name) {
        lifecycle.lock();
        try {
            Collection c = collections.remove(name);
            if (c == null) {
                return false;
            }
            c.close();
            if (dataDir != null) {
                deleteTree(collectionDir(name));
            }
            LOG.log(System.Logger.Level.INFO, "deleted collection {0}", name);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Takes a snapshot of a collection while writes continue.
     *
     * @param name collection
     * @return the stored snapshot
     */
    public SnapshotInfo createSnapshot(String name) {
        Collection c = get(name);
        Instant now = Instant.now();
        String file = name + "-" + SNAPSHOT_TIME.format(now) + ".snapshot";
        Path dir = snapshotDir.resolve(name);
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file + ".tmp");
            MessageDigest sha = sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                c.writeSnapshot(out);
            }
            String checksum = HexFormat.of().formatHex(sha.digest());
            Files.writeString(dir.resolve(file + ".sha256"), checksum + "  " + file + "\n");
            Files.move(tmp, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE);
            LOG.log(System.Logger.Level.INFO, "snapshot {0} of {1} written", file, name);
            return new SnapshotInfo(file, now, Files.size(dir.resolve(file)), checksum);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Snapshots of a collection (it may have been deleted since), newest last.
     *
     * @param name collection name
     * @return snapshots
     */
    public List<SnapshotInfo> listSnapshots(String name) {
        CollectionConfig.checkName(name);
        if (!collections.containsKey(name) && !Files.isDirectory(snapshotDir.resolve(name))) {
            throw VectorException.notFound("collection '" + name + "' does not exist");
        }
        Path dir = snapshotDir.resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<SnapshotInfo> out = new ArrayList<>();
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".snapshot")).toList()) {
                out.add(info(p));
            }
            out.sort(Comparator.comparing(SnapshotInfo::creationTime).thenComparing(SnapshotInfo::name));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The archive file of a snapshot (for download).
     *
     * @param name     collection
     * @param snapshot snapshot file name
     * @return path of the archive
     */
    public Path snapshotFile(String name, String snapshot) {
        CollectionConfig.checkName(name);
        if (snapshot == null || !SNAPSHOT_NAME.matcher(snapshot).matches() || snapshot.contains("..")) {
            throw VectorException.badRequest("snapshot name must look like <collection>-<time>.snapshot");
        }
        Path p = snapshotDir.resolve(name).resolve(snapshot);
        if (!Files.isRegularFile(p)) {
            throw VectorException.notFound("snapshot '" + snapshot + "' of collection '" + name + "' does not exist");
        }
        return p;
    }

    /**
     * Description of one stored snapshot.
     *
     * @param name     collection
     * @param snapshot snapshot file name
     * @return info
     */
    public SnapshotInfo snapshotInfo(String name, String snapshot) {
        try {
            return info(snapshotFile(name, snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes a stored snapshot.
     *
     * @param name     collection
     * @param snapshot snapshot file name
     */
    public void deleteSnapshot(String name, String snapshot) {
        Path p = snapshotFile(name, snapshot);
        try {
            Files.deleteIfExists(p.resolveSibling(snapshot + ".sha256"));
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Restores a stored snapshot into a collection, replacing it when it exists.
     *
     * @param name     collection the snapshot belongs to
     * @param snapshot snapshot file name
     * @param target   collection to restore into (the same name or a new one)
     * @return the restored collection
     */
    public Collection restore(String name, String snapshot, String target) {
        Path p = snapshotFile(name, snapshot);
        return restoreArchive(p, target, storedChecksum(p));
    }

    /**
     * Restores an archive (stored or uploaded) into a collection, replacing it when it exists. The archive's
     * checksum is verified first when one is given; nothing is replaced when the archive is bad.
     *
     * @param archive          archive file
     * @param target           collection name
     * @param expectedChecksum SHA-256 hex, or null to skip the check
     * @return the restored collection
     */
    public Collection restoreArchive(Path archive, String target, String expectedChecksum) {
        CollectionConfig.checkName(target);
        try {
            if (expectedChecksum != null) {
                String actual = checksum(archive);
                if (!actual.equalsIgnoreCase(expectedChecksum.trim())) {
                    throw VectorException.badRequest("snapshot checksum mismatch: expected " + expectedChecksum
                            + ", archive has " + actual);
                }
            }
            lifecycle.lock();
            try {
                Directory staging = dataDir == null ? new ByteBuffersDirectory()
                        : FSDirectory.open(Files.createTempDirectory(dataDir, "restore-"));
                CollectionConfig config;
                try {
                    config = unpack(archive, staging).withName(target);
                } catch (IOException | RuntimeException e) {
                    Path stagingPath = staging instanceof FSDirectory fs ? fs.getDirectory() : null;
                    staging.close();
                    if (stagingPath != null) {
                        deleteTree(stagingPath);
                    }
                    throw e instanceof VectorException ve ? ve
                            : VectorException.badRequest("snapshot archive is not readable: " + e.getMessage());
                }
                Collection old = collections.remove(target);
                if (old != null) {
                    old.close();
                }
                Collection restored;
                if (dataDir == null) {
                    restored = new Collection(config, staging, maxBatch);
                } else {
                    Path stagingPath = ((FSDirectory) staging).getDirectory();
                    staging.close();
                    Path dir = collectionDir(target);
                    deleteTree(dir);
                    Files.createDirectories(dir);
                    Files.move(stagingPath, dir.resolve("index"), StandardCopyOption.ATOMIC_MOVE);
                    restored = open(config, dir);
                }
                collections.put(target, restored);
                LOG.log(System.Logger.Level.INFO, "restored {0} into collection {1}", archive.getFileName(), target);
                return restored;
            } finally {
                lifecycle.unlock();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SHA-256 of a file as lower-case hex.
     *
     * @param file file
     * @return checksum
     * @throws IOException on read failure
     */
    public static String checksum(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Folder for temporary files such as uploaded archives.
     *
     * @return folder
     */
    public Path snapshotRoot() {
        return snapshotDir;
    }

    /**
     * Whether the store is open (readiness).
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        refresher.shutdownNow();
        lifecycle.lock();
        try {
            for (Collection c : collections.values()) {
                try {
                    c.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing collection " + c.config().name() + " failed", e);
                }
            }
            collections.clear();
        } finally {
            lifecycle.unlock();
        }
    }

    private Collection open(CollectionConfig config, Path existingDir) throws IOException {
        if (dataDir == null) {
            return new Collection(config, new ByteBuffersDirectory(), maxBatch);
        }
        Path dir = existingDir == null ? collectionDir(config.name()) : existingDir;
        Files.createDirectories(dir);
        Files.write(dir.resolve(CONFIG_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config.toJson()));
        return new Collection(config, FSDirectory.open(dir.resolve("index")), maxBatch);
    }

    private Path collectionDir(String name) {
        return dataDir.resolve("collections").resolve(name);
    }

    private void refreshAll() {
        for (Collection c : collections.values()) {
            try {
                c.refreshInBackground();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "refresh of " + c.config().name() + " failed", e);
            }
        }
    }

    private static CollectionConfig unpack(Path archive, Directory target) throws IOException {
        CollectionConfig config = null;
        boolean hasSegments = false;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
            ZipEntry e;
            byte[] buf = new byte[64 * 1024];
            while ((e = zip.getNextEntry()) != null) {
                String n = e.getName();
                if (n.equals(CONFIG_FILE)) {
                    JsonNode json = JSON.readTree(new String(zip.readAllBytes(), StandardCharsets.UTF_8));
                    config = CollectionConfig.fromJson(json.path("name").asText("restored"), json);
                } else if (n.startsWith("index/") && n.indexOf('/', 6) < 0 && n.length() > 6 && !n.contains("..")) {
                    String file = n.substring(6);
                    hasSegments |= file.startsWith("segments_");
                    try (IndexOutput out = target.createOutput(file, IOContext.DEFAULT)) {
                        int r;
                        while ((r = zip.read(buf)) > 0) {
                            out.writeBytes(buf, 0, r);
                        }
                    }
                } else {
                    throw VectorException.badRequest("snapshot archive has an unexpected entry '" + n + "'");
                }
            }
        }
        if (config == null || !hasSegments) {
            throw VectorException.badRequest("snapshot archive has no collection.json or no Lucene commit");
        }
        target.sync(List.of(target.listAll()));
        target.syncMetaData();
        return config;
    }

    private static SnapshotInfo info(Path p) throws IOException {
        String name = p.getFileName().toString();
        String checksum = storedChecksum(p);
        if (checksum == null) {
            checksum = checksum(p);
        }
        Instant created = Files.getLastModifiedTime(p).toInstant();
        return new SnapshotInfo(name, created, Files.size(p), checksum);
    }

    private static String storedChecksum(Path archive) {
        Path sidecar = archive.resolveSibling(archive.getFileName() + ".sha256");
        try {
            if (!Files.exists(sidecar)) {
                return null;
            }
            String line = Files.readString(sidecar).trim();
            int space = line.indexOf(' ');
            return space < 0 ? line : line.substring(0, space);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
