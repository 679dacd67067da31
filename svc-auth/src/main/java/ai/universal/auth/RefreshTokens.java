package ai.universal.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * Refresh tokens: opaque ({@code urt_} + 256 random bits), stored as SHA-256, single use. Each login starts a
 * family; {@link #rotate} spends a token and issues its successor in the same family (row-locked, so two concurrent
 * uses of one token cannot both succeed). A spent token presented again means it leaked: the whole family is revoked
 * and {@link Outcome.Reused} is answered. Logout and disabling an account revoke families the same way.
 */
public final class RefreshTokens {
    /** Prefix of every refresh token. */
    public static final String PREFIX = "urt_";

    private final DataSource db;
    private final Duration ttl;

    /**
     * A refresh token handed to the client.
     *
     * @param token     the secret, shown once
     * @param familyId  its family
     * @param expiresAt expiry
     * @param expiresIn seconds until expiry
     */
    public record Issued(String token, UUID familyId, Instant expiresAt, long expiresIn) {
    }

    /** What presenting a refresh token led to. */
    public sealed interface Outcome {
        /**
         * The token was spent and a successor issued.
         *
         * @param userId owner
         * @param next   the successor
         */
        record Rotated(UUID userId, Issued next) implements Outcome {
        }

        /**
         * A spent token came back; its family is now revoked.
         *
         * @param userId   owner
         * @param familyId revoked family
         */
        record Reused(UUID userId, UUID familyId) implements Outcome {
        }

        /** Unknown, expired, or its family revoked. */
        record Invalid() implements Outcome {
        }

        /**
         * The owner is disabled.
         *
         * @param userId owner
         */
        record Disabled(UUID userId) implements Outcome {
        }
    }

    /**
     * Create.
     *
     * @param db  the auth schema
     * @param ttl lifetime of each token (sliding: every rotation gets a full lifetime)
     */
    public RefreshTokens(DataSource db, Duration ttl) {
        this.db = db;
        this.ttl = ttl;
    }

    /**
     * The lifetime of a token.
     *
     * @return ttl
     */
    public Duration ttl() {
        return ttl;
    }

    /**
     * Start a family (a login).
     *
     * @param userId owner
     * @param now    time
     * @return the first token
     */
    public Issued startFamily(UUID userId, Instant now) {
        UUID family = UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement st = c.prepareStatement(
                        "INSERT INTO refresh_families (id, user_id, created_at) VALUES (?, ?, ?)")) {
                    st.setObject(1, family);
                    st.setObject(2, userId);
                    st.setObject(3, Sql.ts(now));
                    st.executeUpdate();
                }
                Issued issued = insert(c, family, now);
                c.commit();
                return issued;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Issuing a refresh token failed: " + e.getMessage(), e);
        }
    }

    /**
     * Spend a token.
     *
     * @param token as presented
     * @param now   time
     * @return outcome
     */
    public Outcome rotate(String token, Instant now) {
        if (!Secrets.wellFormed(token, PREFIX)) {
            return new Outcome.Invalid();
        }
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Outcome outcome = rotate(c, Secrets.sha256(token), now);
                c.commit();
                return outcome;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Refreshing failed: " + e.getMessage(), e);
        }
    }

    private Outcome rotate(Connection c, byte[] hash, Instant now) throws SQLException {
        UUID family;
        UUID user;
        Instant expires;
        Instant used;
        Instant revoked;
        boolean disabled;
        try (PreparedStatement st = c.prepareStatement(
                "SELECT t.family_id, t.expires_at, t.used_at, f.revoked_at, f.user_id, u.disabled "
                        + "FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id JOIN users u ON u.id = f.user_id "
                        + "WHERE t.token_hash = ? FOR UPDATE OF t, f")) {
            st.setBytes(1, hash);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return new Outcome.Invalid();
                }
                family = rs.getObject(1, UUID.class);
                expires = Sql.instant(rs, 2);
                used = Sql.instant(rs, 3);
                revoked = Sql.instant(rs, 4);
                user = rs.getObject(5, UUID.class);
                disabled = rs.getBoolean(6);
            }
        }
        if (revoked != null) {
            return new Outcome.Invalid();
        }
        if (used != null) {
            revokeFamily(c, family, now, "reuse");
            return new Outcome.Reused(user, family);
        }
        if (!now.isBefore(expires)) {
            return new Outcome.Invalid();
        }
        if (disabled) {
            return new Outcome.Disabled(user);
        }
        try (PreparedStatement st = c.prepareStatement("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?")) {
            st.setObject(1, Sql.ts(now));
            st.setBytes(2, hash);
            st.executeUpdate();
        }
        return new Outcome.Rotated(user, insert(c, family, now));
    }

    /**
     * Revoke the family a token belongs to (logout). Spent tokens still name their family.
     *
     * @param token as presented
     * @param now   time
     * @return the owner, empty when the token is unknown
     */
    public Optional<UUID> revokeFamilyOf(String token, Instant now) {
        if (!Secrets.wellFormed(token, PREFIX)) {
            return Optional.empty();
        }
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "UPDATE refresh_families f SET revoked_at = COALESCE(f.revoked_at, ?), "
                                + "revoke_reason = COALESCE(f.revoke_reason, 'logout') FROM refresh_tokens t "
                                + "WHERE t.family_id = f.id AND t.token_hash = ? RETURNING f.user_id")) {
            st.setObject(1, Sql.ts(now));
            st.setBytes(2, Secrets.sha256(token));
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Logout failed: " + e.getMessage(), e);
        }
    }

    /**
     * Revoke every family of a user (account disabled).
     *
     * @param userId owner
     * @param now    time
     * @param reason why
     * @return families revoked
     */
    public int revokeAll(UUID userId, Instant now, String reason) {
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "UPDATE refresh_families SET revoked_at = ?, revoke_reason = ? "
                                + "WHERE user_id = ? AND revoked_at IS NULL")) {
            st.setObject(1, Sql.ts(now));
            st.setString(2, reason);
            st.setObject(3, userId);
            return st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Revoking sessions failed: " + e.getMessage(), e);
        }
    }

    private static void revokeFamily(Connection c, UUID family, Instant now, String reason) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE refresh_families SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL")) {
            st.setObject(1, Sql.ts(now));
            st.setString(2, reason);
            st.setObject(3, family);
            st.executeUpdate();
        }
    }

    private Issued insert(Connection c, UUID family, Instant now) throws SQLException {
        String token = Secrets.create(PREFIX);
        Instant expires = now.plus(ttl);
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO refresh_tokens (token_hash, family_id, issued_at, expires_at) VALUES (?, ?, ?, ?)")) {
            st.setBytes(1, Secrets.sha256(token));
            st.setObject(2, family);
            st.setObject(3, Sql.ts(now));
            st.setObject(4, Sql.ts(expires));
            st.executeUpdate();
        }
        return new Issued(token, family, expires, ttl.toSeconds());
    }
}
