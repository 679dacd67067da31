package ai.universal.kit.data;

import java.net.URI;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * A service's Redis: a Jedis pool from REDIS_URL ({@code redis://[:password@]host:port[/db]}, {@code rediss://}
 * for TLS) and an optional key prefix, so that services — or test classes — sharing one Redis never touch each
 * other's keys.
 */
public final class Redis implements AutoCloseable {
    private final RedisClient client;
    private final String prefix;

    private Redis(RedisClient client, String prefix) {
        this.client = client;
        this.prefix = prefix;
    }

    /**
     * Connect.
     *
     * @param redisUrl  REDIS_URL
     * @param keyPrefix prefix for every key this service writes (e.g. {@code auth:})
     * @param poolSize  maximum connections
     * @return redis
     */
    public static Redis connect(String redisUrl, String keyPrefix, int poolSize) {
        URI uri = URI.create(redisUrl);
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2000)
                .socketTimeoutMillis(2000)
                .ssl("rediss".equals(uri.getScheme()));
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            if (parts.length == 2) {
                if (!parts[0].isEmpty()) {
                    config.user(parts[0]);
                }
                config.password(parts[1]);
            } else {
                config.password(parts[0]);
            }
        }
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            config.database(Integer.parseInt(path.substring(1)));
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMaxWait(java.time.Duration.ofSeconds(2));
        HostAndPort hostAndPort = new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
        return new Redis(RedisClient.builder().hostAndPort(hostAndPort).clientConfig(config.build()).poolConfig(pool).build(),
                         keyPrefix);
    }

    /**
     * The client.
     *
     * @return jedis
     */
    public RedisClient client() {
        return client;
    }

    /**
     * A key in this service's namespace.
     *
     * @param key key
     * @return prefixed key
     */
    public String key(String key) {
        return prefix + key;
    }

    /**
     * Whether Redis answers now (for readiness).
     *
     * @return true when PING answers PONG
     */
    public boolean ping() {
        try {
            return "PONG".equals(client.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
