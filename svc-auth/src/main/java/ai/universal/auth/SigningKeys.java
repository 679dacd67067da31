package ai.universal.auth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import ai.universal.kit.auth.JwksSource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

/**
 * The RS256 signing keys, persisted in PostgreSQL ({@code signing_keys}). Exactly one key signs; {@link #rotate()}
 * retires it and makes a new one, and the retired key's public half stays in the JWKS (and keeps verifying) until
 * {@code verify_until} = retirement + access-token TTL + reload interval + clock skew — after that no token it signed
 * can still be valid. Private keys are PKCS#8, encrypted with {@link KeyEncryption} when ENCRYPTION_KEY is set
 * (existing clear keys are encrypted at start-up); start-up refuses, with a message saying what to do, when stored keys
 * are encrypted and ENCRYPTION_KEY is missing or wrong. Replicas pick up another replica's rotation within the reload
 * interval, and at once when a token names a key id they do not know.
 * <p>
 * Inside svc-auth this is the {@link JwksSource} tokens are verified against, so svc-auth never calls itself.
 */
public final class SigningKeys implements JwksSource {
    private static final System.Logger LOGGER = System.getLogger(SigningKeys.class.getName());
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('uat-auth-signing-keys'))";
    private static final Duration UNKNOWN_KID_RELOAD = Duration.ofSeconds(1);

    private final DataSource db;
    private final KeyEncryption encryption;
    private final Clock clock;
    private final Duration verifyAfterRetirement;
    private final Duration reloadInterval;
    private final ReentrantLock reloadLock = new ReentrantLock();
    private volatile State state;
    private volatile Instant loadedAt = Instant.EPOCH;

    /**
     * A published key.
     *
     * @param kid         key id
     * @param publicKey   public half
     * @param createdAt   created
     * @param retiredAt   stopped signing (null while it signs)
     * @param verifyUntil leaves the JWKS (null while it signs)
     */
    public record PublishedKey(String kid, RSAKey publicKey, Instant createdAt, Instant retiredAt, Instant verifyUntil) {
    }

    /**
     * The outcome of a rotation.
     *
     * @param kid                   the new signing key
     * @param previousKid           the retired key (null if there was none)
     * @param previousVerifiesUntil when the retired key leaves the JWKS
     */
    public record Rotation(String kid, String previousKid, Instant previousVerifiesUntil) {
    }

    private record State(RSAKey signing, List<PublishedKey> keys) {
    }

    private SigningKeys(DataSource db, KeyEncryption encryption, Clock clock, Duration verifyAfterRetirement,
                        Duration reloadInterval) {
        this.db = db;
        this.encryption = encryption;
        this.clock = clock;
        this.verifyAfterRetirement = verifyAfterRetirement;
        this.reloadInterval = reloadInterval;
    }

    /**
     * Open the store: make the first key if there is none, encrypt clear keys when ENCRYPTION_KEY is set, load.
     *
     * @param db                    the auth schema
     * @param encryption            ENCRYPTION_KEY's cipher, or null when unset
     * @param clock                 clock
     * @param verifyAfterRetirement how long a retired key keeps verifying
     * @param reloadInterval        how often the keys are re-read (rotations by other replicas)
     * @return the store
     * @throws IllegalStateException when stored keys cannot be decrypted
     */
    public static SigningKeys open(DataSource db, KeyEncryption encryption, Clock clock, Duration verifyAfterRetirement,
                                   Duration reloadInterval) {
        SigningKeys keys = new SigningKeys(db, encryption, clock, verifyAfterRetirement, reloadInterval);
        keys.prepare();
        keys.reload();
        return keys;
    }

    /**
     * The key that signs new tokens (private half included).
     *
     * @return key
     */
    public RSAKey signingKey() {
        reloadIfOlderThan(reloadInterval);
        return state.signing();
    }

    /**
     * Every key a valid token may have been signed with.
     *
     * @return keys, newest first
     */
    public List<PublishedKey> published() {
        reloadIfOlderThan(reloadInterval);
        return current();
    }

    private List<PublishedKey> current() {
        Instant now = clock.instant();
        return state.keys().stream().filter(k -> k.verifyUntil() == null || now.isBefore(k.verifyUntil())).toList();
    }

    /**
     * The public JWKS.
     *
     * @return key set
     */
    public JWKSet jwks() {
        return new JWKSet(published().stream().map(k -> (JWK) k.publicKey()).toList());
    }

    @Override
    public Optional<JWK> key(String kid) {
        Optional<JWK> found = find(kid);
        if (found.isEmpty()) {
            reloadIfOlderThan(UNKNOWN_KID_RELOAD);
            found = find(kid);
        }
        return found;
    }

    private Optional<JWK> find(String kid) {
        return current().stream().filter(k -> k.kid().equals(kid)).findFirst().map(k -> (JWK) k.publicKey());
    }

    /**
     * Retire the signing key and make a new one.
     *
     * @return what changed
     */
    public Rotation rotate() {
        RSAKey next = generate();
        Instant now = clock.instant();
        Instant verifyUntil = now.plus(verifyAfterRetirement);
        String previous = null;
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute(LOCK);
                }
                try (PreparedStatement st = c.prepareStatement(
                        "UPDATE signing_keys SET retired_at = ?, verify_until = ? WHERE retired_at IS NULL RETURNING kid")) {
                    st.setObject(1, Sql.ts(now));
                    st.setObject(2, Sql.ts(verifyUntil));
                    try (ResultSet rs = st.executeQuery()) {
                        previous = rs.next() ? rs.getString(1) : null;
                    }
                }
                insert(c, next, now);
                try (PreparedStatement st = c.prepareStatement("DELETE FROM signing_keys WHERE verify_until < ?")) {
                    st.setObject(1, Sql.ts(now.minus(Duration.ofDays(7))));
                    st.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Key rotation failed: " + e.getMessage(), e);
        }
        reload();
        return new Rotation(next.getKeyID(), previous, previous == null ? null : verifyUntil);
    }

    private void prepare() {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute(LOCK);
                }
                List<String[]> clear = new ArrayList<>();
                boolean anyEncrypted = false;
                boolean active = false;
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT kid, encryption, retired_at IS NULL FROM signing_keys")) {
                    while (rs.next()) {
                        if (KeyEncryption.SCHEME.equals(rs.getString(2))) {
                            anyEncrypted = true;
                        } else {
                            clear.add(new String[] {rs.getString(1)});
                        }
                        active |= rs.getBoolean(3);
                    }
                }
                if (anyEncrypted && encryption == null) {
                    throw new IllegalStateException("The signing keys stored in PostgreSQL are encrypted, but ENCRYPTION_KEY is "
                                                            + "not set: start svc-auth with the ENCRYPTION_KEY they were "
                                                            + "encrypted with");
                }
                if (encryption != null && !clear.isEmpty()) {
                    encryptInPlace(c, clear);
                } else if (encryption == null && active) {
                    LOGGER.log(System.Logger.Level.WARNING, "Private signing keys are stored unencrypted: set ENCRYPTION_KEY "
                            + "to encrypt them at rest");
                }
                if (!active) {
                    RSAKey first = generate();
                    insert(c, first, clock.instant());
                    LOGGER.log(System.Logger.Level.INFO, "event=signing_key_created kid=" + first.getKeyID());
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read signing keys: " + e.getMessage(), e);
        }
    }

    private void encryptInPlace(Connection c, List<String[]> clear) throws SQLException {
        for (String[] row : clear) {
            String kid = row[0];
            byte[] plain;
            try (PreparedStatement st = c.prepareStatement("SELECT private_key FROM signing_keys WHERE kid = ?")) {
                st.setString(1, kid);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    plain = rs.getBytes(1);
                }
            }
            try (PreparedStatement st = c.prepareStatement(
                    "UPDATE signing_keys SET private_key = ?, encryption = ? WHERE kid = ?")) {
                st.setBytes(1, encryption.encrypt(plain, kid));
                st.setString(2, KeyEncryption.SCHEME);
                st.setString(3, kid);
                st.executeUpdate();
            }
        }
        LOGGER.log(System.Logger.Level.INFO, "event=signing_keys_encrypted count=" + clear.size());
    }

    private void insert(Connection c, RSAKey key, Instant now) throws SQLException {
        byte[] pkcs8;
        try {
            pkcs8 = key.toRSAPrivateKey().getEncoded();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key, encryption, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)")) {
            st.setString(1, key.getKeyID());
            st.setString(2, JWSAlgorithm.RS256.getName());
            st.setString(3, key.toPublicJWK().toJSONString());
            st.setBytes(4, encryption == null ? pkcs8 : encryption.encrypt(pkcs8, key.getKeyID()));
            st.setString(5, encryption == null ? "none" : KeyEncryption.SCHEME);
            st.setObject(6, Sql.ts(now));
            st.executeUpdate();
        }
    }

    private void reloadIfOlderThan(Duration age) {
        if (clock.instant().isAfter(loadedAt.plus(age))) {
            reloadQuietly();
        }
    }

    private void reloadQuietly() {
        if (!reloadLock.tryLock()) {
            return;
        }
        try {
            reload();
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Reloading signing keys failed, keeping the loaded ones: " + e.getMessage());
            loadedAt = clock.instant();
        } finally {
            reloadLock.unlock();
        }
    }

    private void reload() {
        List<PublishedKey> keys = new ArrayList<>();
        RSAKey signing = null;
        try (Connection c = db.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT kid, public_jwk, private_key, encryption, created_at, retired_at, "
                                                       + "verify_until FROM signing_keys ORDER BY created_at DESC")) {
            while (rs.next()) {
                String kid = rs.getString(1);
                RSAKey publicKey = RSAKey.parse(rs.getString(2));
                Instant retired = Sql.instant(rs, 6);
                keys.add(new PublishedKey(kid, publicKey, Sql.instant(rs, 5), retired, Sql.instant(rs, 7)));
                if (retired == null) {
                    signing = withPrivate(publicKey, rs.getBytes(3), rs.getString(4));
                }
            }
        } catch (SQLException | ParseException e) {
            throw new IllegalStateException("Cannot read signing keys: " + e.getMessage(), e);
        }
        if (signing == null) {
            throw new IllegalStateException("No active signing key in the database");
        }
        state = new State(signing, List.copyOf(keys));
        loadedAt = clock.instant();
    }

    private RSAKey withPrivate(RSAKey publicKey, byte[] stored, String scheme) {
        byte[] pkcs8;
        if (KeyEncryption.SCHEME.equals(scheme)) {
            if (encryption == null) {
                throw new IllegalStateException("The signing keys stored in PostgreSQL are encrypted, but ENCRYPTION_KEY "
                                                        + "is not set: start svc-auth with the ENCRYPTION_KEY they were "
                                                        + "encrypted with");
            }
            try {
                pkcs8 = encryption.decrypt(stored, publicKey.getKeyID());
            } catch (KeyEncryption.WrongKeyException e) {
                throw new IllegalStateException("ENCRYPTION_KEY does not decrypt the signing keys stored in PostgreSQL: "
                                                        + "start svc-auth with the ENCRYPTION_KEY they were encrypted with");
            }
        } else {
            pkcs8 = stored;
        }
        try {
            RSAPrivateKey privateKey = (RSAPrivateKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return new RSAKey.Builder(publicKey).privateKey(privateKey).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Stored signing key " + publicKey.getKeyID() + " is unreadable", e);
        }
    }

    private static RSAKey generate() {
        byte[] id = new byte[12];
        new SecureRandom().nextBytes(id);
        String kid = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        try {
            return new RSAKeyGenerator(2048)
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
