package ai.universal.memory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * A list position: the (created_at, id) of the last memory of a page, opaque to clients (base64url). Keyset
 * pagination, so a page never skips or repeats a memory when others are added meanwhile.
 *
 * @param createdAt created_at of the last memory returned
 * @param id        its id
 */
record Cursor(Instant createdAt, UUID id) {

    String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + "," + id).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String text) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(",", 2);
            return new Cursor(Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS), UUID.fromString(parts[1]));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw MemoryError.badRequest("invalid_cursor", "cursor", "cursor is not one this service returned");
        }
    }
}
