package ai.universal.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * Accounts ({@code users}): email (normalized, unique), Argon2id hash, roles, disabled flag. The first account ever
 * registered becomes {@code admin} unless an ADMIN_EMAIL is configured, in which case exactly that address does (and
 * is promoted at start-up if it already exists) — registration takes a transaction-scoped advisory lock so two
 * simultaneous first registrations cannot both become admin.
 */
public final class Users {
    /** The role every account has. */
    public static final String USER = "user";
    /** The administrator role. */
    public static final String ADMIN = "admin";

    private final DataSource db;
    private final String adminEmail;

    /**
     * An account.
     *
     * @param id           id
     * @param email        normalized email
     * @param passwordHash PHC string
     * @param roles        roles
     * @param disabled     whether disabled
     * @param createdAt    created
     */
    public record User(UUID id, String email, String passwordHash, List<String> roles, boolean disabled, Instant createdAt) {
    }

    /**
     * A page of accounts.
     *
     * @param users accounts
     * @param total how many exist
     */
    public record Page(List<User> users, long total) {
    }

    /**
     * Create.
     *
     * @param db         the auth schema
     * @param adminEmail ADMIN_EMAIL (normalized) or null
     */
    public Users(DataSource db, String adminEmail) {
        this.db = db;
        this.adminEmail = adminEmail;
    }

    /**
     * Give ADMIN_EMAIL's account the admin role if it exists and lacks it.
     *
     * @return true when an account was promoted
     */
    public boolean promoteConfiguredAdmin() {
        if (adminEmail == null) {
            return false;
        }
        return update("UPDATE users SET roles = array_append(roles, 'admin') WHERE email = ? AND NOT ('admin' = ANY(roles))",
                      adminEmail) > 0;
    }

    /**
     * Create an account.
     *
     * @param email        normalized email
     * @param passwordHash PHC string
     * @param now          creation time
     * @return the account
     * @throws AuthFailure EMAIL_TAKEN
     */
    public User create(String email, String passwordHash, Instant now) {
        UUID id = UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_xact_lock(hashtext('uat-auth-register'))");
                }
                boolean admin;
                if (adminEmail != null) {
                    admin = adminEmail.equals(email);
                } else {
                    try (Statement st = c.createStatement();
                            ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM users)")) {
                        rs.next();
                        admin = !rs.getBoolean(1);
                    }
                }
                List<String> roles = admin ? List.of(USER, ADMIN) : List.of(USER);
                try (PreparedStatement st = c.prepareStatement(
                        "INSERT INTO users (id, email, password_hash, roles, created_at) VALUES (?, ?, ?, ?, ?) "
                                + "ON CONFLICT (email) DO NOTHING")) {
                    st.setObject(1, id);
                    st.setString(2, email);
                    st.setString(3, passwordHash);
                    st.setArray(4, Sql.textArray(c, roles));
                    st.setObject(5, Sql.ts(now));
                    if (st.executeUpdate() == 0) {
                        c.rollback();
                        throw AuthFailure.of(AuthFailure.Reason.EMAIL_TAKEN, "An account with this email already exists");
                    }
                }
                c.commit();
                return new User(id, email, passwordHash, roles, false, now);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Registration failed: " + e.getMessage(), e);
        }
    }

    /**
     * Whether an email is registered (checked before hashing, so duplicates cost no hash).
     *
     * @param email normalized email
     * @return true when taken
     */
    public boolean exists(String email) {
        return byEmail(email).isPresent();
    }

    /**
     * Find by email.
     *
     * @param email normalized email
     * @return account
     */
    public Optional<User> byEmail(String email) {
        return one("SELECT * FROM users WHERE email = ?", st -> st.setString(1, email));
    }

    /**
     * Find by id.
     *
     * @param id id
     * @return account
     */
    public Optional<User> byId(UUID id) {
        return one("SELECT * FROM users WHERE id = ?", st -> st.setObject(1, id));
    }

    /**
     * List accounts, oldest first.
     *
     * @param limit  page size
     * @param offset rows to skip
     * @return page
     */
    public Page list(int limit, int offset) {
        List<User> users = new ArrayList<>();
        long total;
        try (Connection c = db.getConnection()) {
            try (PreparedStatement st = c.prepareStatement("SELECT * FROM users ORDER BY created_at, id LIMIT ? OFFSET ?")) {
                st.setInt(1, limit);
                st.setInt(2, offset);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        users.add(map(rs));
                    }
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM users")) {
                rs.next();
                total = rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Listing users failed: " + e.getMessage(), e);
        }
        return new Page(users, total);
    }

    /**
     * Disable or enable an account.
     *
     * @param id       id
     * @param disabled new state
     * @param now      time
     * @return the account after the change
     * @throws AuthFailure NOT_FOUND
     */
    public User setDisabled(UUID id, boolean disabled, Instant now) {
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement("UPDATE users SET disabled = ?, disabled_at = ? WHERE id = ?")) {
            st.setBoolean(1, disabled);
            st.setObject(2, disabled ? Sql.ts(now) : null, Types.TIMESTAMP_WITH_TIMEZONE);
            st.setObject(3, id);
            if (st.executeUpdate() == 0) {
                throw AuthFailure.of(AuthFailure.Reason.NOT_FOUND, "No user " + id);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Updating user failed: " + e.getMessage(), e);
        }
        return byId(id).orElseThrow();
    }

    /**
     * Replace a password hash (re-hash with stronger parameters).
     *
     * @param id   id
     * @param hash new PHC string
     */
    public void updateHash(UUID id, String hash) {
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement("UPDATE users SET password_hash = ? WHERE id = ?")) {
            st.setString(1, hash);
            st.setObject(2, id);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Updating password hash failed: " + e.getMessage(), e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement st) throws SQLException;
    }

    private Optional<User> one(String sql, Binder binder) {
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            binder.bind(st);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading users failed: " + e.getMessage(), e);
        }
    }

    private int update(String sql, String value) {
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, value);
            return st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Updating users failed: " + e.getMessage(), e);
        }
    }

    private static User map(ResultSet rs) throws SQLException {
        return new User(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("password_hash"),
                        Sql.strings(rs, "roles"), rs.getBoolean("disabled"), Sql.instant(rs, "created_at"));
    }
}
