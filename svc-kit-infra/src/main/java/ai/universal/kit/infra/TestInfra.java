package ai.universal.kit.infra;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Real PostgreSQL and Redis for tests: the servers named by DATABASE_URL / REDIS_URL when set (CI starts real
 * ones), else embedded ones started once per JVM. Each test class gets its own fresh database and its own Redis key
 * prefix, so classes never see each other's data.
 */
public final class TestInfra {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static String adminUrl;
    private static String redisUrl;

    private TestInfra() {
    }

    /**
     * What one test class gets.
     *
     * @param databaseUrl a fresh, empty database
     * @param redisUrl    a Redis server
     * @param redisPrefix a key prefix no other test class uses
     */
    public record Infra(String databaseUrl, String redisUrl, String redisPrefix) {
        /**
         * The settings a service under test needs to use this infrastructure.
         *
         * @return environment overrides
         */
        public Map<String, String> environment() {
            return Map.of("DATABASE_URL", databaseUrl, "REDIS_URL", redisUrl, "REDIS_KEY_PREFIX", redisPrefix);
        }
    }

    /**
     * Fresh infrastructure for a test class.
     *
     * @return infra
     */
    public static Infra fresh() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new Infra(createDatabase(name), redisUrl(), name + ":");
    }

    /**
     * Drop a database made by {@link #fresh()}.
     *
     * @param infra infra
     */
    public static void drop(Infra infra) {
        String db = URI.create(infra.databaseUrl()).getPath().substring(1);
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        } catch (SQLException e) {
            System.getLogger(TestInfra.class.getName()).log(System.Logger.Level.WARNING, "Drop of " + db + " failed: " + e);
        }
    }

    /**
     * The Redis server's URL.
     *
     * @return REDIS_URL
     */
    public static String redisUrl() {
        LOCK.lock();
        try {
            if (redisUrl == null) {
                String configured = configured("REDIS_URL");
                redisUrl = configured != null ? configured : EmbeddedRedisServer.start(null, 0).url();
            }
            return redisUrl;
        } finally {
            LOCK.unlock();
        }
    }

    private static String createDatabase(String name) {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name.toLowerCase(Locale.ROOT));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database: " + e.getMessage(), e);
        }
        URI admin = URI.create(adminUrl);
        return admin.getScheme() + "://" + (admin.getRawUserInfo() == null ? "" : admin.getRawUserInfo() + "@")
                + admin.getHost() + ":" + (admin.getPort() < 0 ? 5432 : admin.getPort()) + "/" + name;
    }

    private static Connection admin() throws SQLException {
        LOCK.lock();
        try {
            if (adminUrl == null) {
                String configured = configured("DATABASE_URL");
                adminUrl = configured != null ? configured : EmbeddedPostgresServer.start(null, 0).url();
            }
        } finally {
            LOCK.unlock();
        }
        URI uri = URI.create(adminUrl);
        String user = "postgres";
        String password = null;
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            password = parts.length > 1 ? parts[1] : null;
        }
        return DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort())
                                                   + uri.getPath(), user, password);
    }

    private static String configured(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? null : value;
    }
}
