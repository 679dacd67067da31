package ai.universal.kit.data;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;

/**
 * A service's PostgreSQL: one HikariCP pool whose connections default to the service's own schema, the Flyway
 * migrations of that schema run at start-up (from {@code classpath:db/migration/<schema>}), and a helidon-dbclient
 * over the same pool. Accepts {@code postgres://user:pass@host:port/db} (the seed's DATABASE_URL form) and plain
 * JDBC URLs.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final DbClient dbClient;
    private final String schema;

    private Database(HikariDataSource pool, String schema) {
        this.pool = pool;
        this.schema = schema;
        this.dbClient = JdbcClientBuilder.create()
                .connectionPool(new JdbcConnectionPool() {
                    @Override
                    public Connection connection() {
                        try {
                            return pool.getConnection();
                        } catch (SQLException e) {
                            throw new IllegalStateException("No database connection: " + e.getMessage(), e);
                        }
                    }
                })
                .build();
    }

    /**
     * Connect, create the schema if needed and migrate it.
     *
     * @param databaseUrl DATABASE_URL
     * @param schema      the service's schema, e.g. {@code auth} (configurable)
     * @param migrations  the migrations' folder name under {@code db/migration/} (the service key, fixed)
     * @param poolSize    maximum pool size
     * @return the database
     */
    public static Database connect(String databaseUrl, String schema, String migrations, int poolSize) {
        JdbcTarget target = JdbcTarget.parse(databaseUrl);
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(target.jdbcUrl());
        hikari.setUsername(target.user());
        hikari.setPassword(target.password());
        hikari.setSchema(schema);
        hikari.setMaximumPoolSize(poolSize);
        hikari.setMinimumIdle(1);
        hikari.setPoolName("pg-" + schema);
        hikari.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        hikari.setInitializationFailTimeout(Duration.ofSeconds(30).toMillis());
        hikari.addDataSourceProperty("ApplicationName", "uat-" + schema);
        HikariDataSource pool = new HikariDataSource(hikari);
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .createSchemas(true)
                    .locations("classpath:db/migration/" + migrations)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, schema);
    }

    /**
     * The JDBC pool (connections default to the service schema).
     *
     * @return data source
     */
    public DataSource dataSource() {
        return pool;
    }

    /**
     * helidon-dbclient over the same pool.
     *
     * @return db client
     */
    public DbClient dbClient() {
        return dbClient;
    }

    /**
     * The schema.
     *
     * @return schema name
     */
    public String schema() {
        return schema;
    }

    /**
     * Whether a connection can run a query now (for readiness).
     *
     * @return true when reachable
     */
    public boolean ping() {
        try (Connection c = pool.getConnection(); var st = c.createStatement()) {
            st.setQueryTimeout(2);
            return st.execute("SELECT 1");
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * A JDBC URL with separate credentials.
     *
     * @param jdbcUrl  JDBC URL
     * @param user     user
     * @param password password (may be null)
     */
    public record JdbcTarget(String jdbcUrl, String user, String password) {
        /**
         * Parse DATABASE_URL.
         *
         * @param url {@code postgres://…}, {@code postgresql://…} or {@code jdbc:postgresql://…}
         * @return target
         */
        public static JdbcTarget parse(String url) {
            if (url.startsWith("jdbc:")) {
                URI uri = URI.create(url.substring(5));
                String user = query(uri.getQuery(), "user");
                String password = query(uri.getQuery(), "password");
                return new JdbcTarget(url, user == null ? "postgres" : user, password);
            }
            URI uri = URI.create(url);
            if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme())) {
                throw new IllegalArgumentException("DATABASE_URL must start with postgres://, postgresql:// or jdbc:");
            }
            String user = "postgres";
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
            }
            int port = uri.getPort() < 0 ? 5432 : uri.getPort();
            String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath()
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            return new JdbcTarget(jdbc, user, password);
        }

        private static String query(String query, String name) {
            if (query == null) {
                return null;
            }
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv[0].equals(name) && kv.length == 2) {
                    return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "JdbcTarget[" + jdbcUrl + ", user=" + user + "]";
        }
    }
}
