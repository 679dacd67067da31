package ai.universal.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import ai.universal.kit.auth.ApiKeyResolver;
import ai.universal.kit.auth.Principal;

/**
 * API keys for machine clients ({@code api_keys}): {@code uat_} + 43 url-safe base64 characters (256 random bits),
 * stored as SHA-256 with the first 8 characters after {@code uat_} kept as a display prefix. A key carries scopes — by
 * default those of the credential that created it, never more — and an optional expiry. A key works while it is not
 * revoked, not expired and its owner is not disabled; {@link #grant} is what the introspection endpoint answers and
 * what svc-auth's own routes resolve keys with.
 */
public final class ApiKeys implements ApiKeyResolver {
    /** Most active keys one user may hold. */
    public static final int MAX_KEYS_PER_USER = 100;
    private static final Pattern SCOPE = Pattern.compile("\\*|[a-z0-9][a-z0-9_.-]{0,40}(:[a-z0-9_.*-]{1,40})?");

    private final DataSource db;
    private final Clock clock;

    /**
     * A key as listed (no secret).
     *
     * @param id        id
     * @param prefix    first 8 characters after {@code uat_}
     * @param name      label or null
     * @param scopes    scopes
     * @param createdAt created
     * @param expiresAt expiry or null
     */
    public record ApiKey(UUID id, String prefix, String name, List<String> scopes, Instant createdAt, Instant expiresAt) {
    }

    /**
     * A new key with its secret, shown once.
     *
     * @param key    listing data
     * @param secret the full key
     */
    public record Created(ApiKey key, String secret) {
    }

    /**
     * What an active key grants.
     *
     * @param keyId     key id
     * @param userId    owner
     * @param roles     owner's roles now
     * @param scopes    key scopes
     * @param expiresAt key expiry or null
     */
    public record Grant(UUID keyId, UUID userId, List<String> roles, List<String> scopes, Instant expiresAt) {
    }

    /**
     * Create.
     *
     * @param db    the auth schema
     * @param clock clock
     */
    public ApiKeys(DataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Check requested scopes: well-formed and each granted to the creating credential.
     *
     * @param requested requested scopes, null for the default
     * @param creator   the credential creating the key
     * @return the scopes to store
     * @throws AuthFailure INVALID_FIELD on {@code scopes}
     */
    public static List<String> scopesFor(List<String> requested, Principal creator) {
        if (requested == null) {
            return creator.scopeList();
        }
        if (requested.isEmpty() || requested.size() > 32) {
            throw AuthFailure.invalid("scopes", "scopes must list between 1 and 32 scopes");
        }
        List<String> scopes = new ArrayList<>();
        for (String scope : new HashSet<>(requested)) {
            if (scope == null || !SCOPE.matcher(scope).matches()) {
                throw AuthFailure.invalid("scopes", "scope '" + scope + "' is not valid: use '*', 'resource' or "
                        + "'resource:action' in lower case");
            }
            boolean granted = scope.equals("*") ? creator.scopes().contains("*") : creator.hasScope(scope);
            if (!granted) {
                throw AuthFailure.invalid("scopes", "scope '" + scope
                        + "' exceeds the scopes of the credential creating the key");
            }
            scopes.add(scope);
        }
        return scopes.stream().sorted().toList();
    }

    /**
     * Make a key.
     *
     * @param userId    owner
     * @param name      label or null
     * @param scopes    checked scopes
     * @param expiresAt expiry or null
     * @param now       creation time
     * @return the key and its secret
     * @throws AuthFailure CONFLICT when the user holds too many keys
     */
    public Created create(UUID userId, String name, List<String> scopes, Instant expiresAt, Instant now) {
        String secret = Secrets.create(PREFIX);
        ApiKey key = new ApiKey(UUID.randomUUID(), secret.substring(PREFIX.length(), PREFIX.length() + 8), name,
                                List.copyOf(scopes), now, expiresAt);
        try (Connection c = db.getConnection()) {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT count(*) FROM api_keys WHERE user_id = ? AND revoked_at IS NULL "
                            + "AND (expires_at IS NULL OR expires_at > ?)")) {
                st.setObject(1, userId);
                st.setObject(2, Sql.ts(now));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= MAX_KEYS_PER_USER) {
                        throw AuthFailure.of(AuthFailure.Reason.CONFLICT, "You already hold " + MAX_KEYS_PER_USER
                                + " active API keys; delete one first");
                    }
                }
            }
            try (PreparedStatement st = c.prepareStatement(
                    "INSERT INTO api_keys (id, user_id, name, key_hash, prefix, scopes, created_at, expires_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                st.setObject(1, key.id());
                st.setObject(2, userId);
                st.setString(3, name);
                st.setBytes(4, Secrets.sha256(secret));
                st.setString(5, key.prefix());
                st.setArray(6, Sql.textArray(c, key.scopes()));
                st.setObject(7, Sql.ts(now));
                st.setObject(8, Sql.ts(expiresAt), Types.TIMESTAMP_WITH_TIMEZONE);
                st.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Creating an API key failed: " + e.getMessage(), e);
        }
        return new Created(key, secret);
    }

    /**
     * A user's keys that are not revoked (expired ones included, so they can be seen and deleted).
     *
     * @param userId owner
     * @return keys, newest first
     */
    public List<ApiKey> list(UUID userId) {
        List<ApiKey> keys = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "SELECT * FROM api_keys WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id")) {
            st.setObject(1, userId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.add(new ApiKey(rs.getObject("id", UUID.class), rs.getString("prefix"), rs.getString("name"),
                                        Sql.strings(rs, "scopes"), Sql.instant(rs, "created_at"), Sql.instant(rs, "expires_at")));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Listing API keys failed: " + e.getMessage(), e);
        }
        return keys;
    }

    /**
     * Revoke one of a user's keys.
     *
     * @param userId owner
     * @param keyId  key id
     * @throws AuthFailure NOT_FOUND when the user holds no such active key
     */
    public void revoke(UUID userId, UUID keyId) {
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL")) {
            st.setObject(1, Sql.ts(clock.instant()));
            st.setObject(2, keyId);
            st.setObject(3, userId);
            if (st.executeUpdate() == 0) {
                throw AuthFailure.of(AuthFailure.Reason.NOT_FOUND, "No API key " + keyId);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Revoking an API key failed: " + e.getMessage(), e);
        }
    }

    /**
     * What a key grants now.
     *
     * @param secret the full key
     * @return the grant, empty when unknown, revoked, expired or its owner disabled
     */
    public Optional<Grant> grant(String secret) {
        if (!Secrets.wellFormed(secret, PREFIX)) {
            return Optional.empty();
        }
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "SELECT k.id, k.user_id, u.roles, k.scopes, k.expires_at "
                                + "FROM api_keys k JOIN users u ON u.id = k.user_id "
                                + "WHERE k.key_hash = ? AND k.revoked_at IS NULL AND NOT u.disabled "
                                + "AND (k.expires_at IS NULL OR k.expires_at > ?)")) {
            st.setBytes(1, Secrets.sha256(secret));
            st.setObject(2, Sql.ts(clock.instant()));
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Grant(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), Sql.strings(rs, "roles"),
                                             Sql.strings(rs, "scopes"), Sql.instant(rs, 5)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading API keys failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Principal> resolve(String key) {
        return grant(key).map(g -> new Principal(g.userId().toString(), new HashSet<>(g.roles()), new HashSet<>(g.scopes()),
                                                 Principal.Kind.API_KEY, g.keyId().toString(), g.expiresAt()));
    }
}
