package ai.universal.vector;

import java.time.Instant;

/**
 * A stored snapshot archive.
 *
 * @param name         file name ({@code <collection>-<yyyy-MM-dd-HH-mm-ss-SSS>.snapshot})
 * @param creationTime when it was taken
 * @param size         archive bytes
 * @param checksum     SHA-256 of the archive, lower-case hex
 */
public record SnapshotInfo(String name, Instant creationTime, long size, String checksum) {
}
