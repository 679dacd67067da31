package ai.universal.edge.local;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.universal.edge.plugins.EdgeMetrics;
import ai.universal.edge.plugins.LocalRateLimitStore;
import ai.universal.edge.plugins.OtlpSpanExporter;
import ai.universal.edge.plugins.RedisRateLimitStore;
import ai.universal.edge.plugins.SyncedRedisRateLimitStore;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/**
 * What outlives a config reload: metrics, local rate-limit counters, Redis pools, span exporters and the upstream HTTP
 * client (with its keep-alive connections). Closed once, when the edge stops.
 */
final class EdgeResources implements AutoCloseable {
    private final EdgeMetrics metrics = new EdgeMetrics();
    private final LocalRateLimitStore localStore = new LocalRateLimitStore();
    private final Map<String, JedisPool> redisPools = new ConcurrentHashMap<>();
    private final Map<String, RedisRateLimitStore> redisStores = new ConcurrentHashMap<>();
    private final Map<String, SyncedRedisRateLimitStore> syncedStores = new ConcurrentHashMap<>();
    private final Map<String, OtlpSpanExporter> exporters = new ConcurrentHashMap<>();
    private final UpstreamClient upstream = new UpstreamClient();

    EdgeMetrics metrics() {
        return metrics;
    }

    LocalRateLimitStore localStore() {
        return localStore;
    }

    JedisPool redis(String host, int port, int database, String username, String password, int timeoutMs) {
        return redisPools.computeIfAbsent(redisKey(host, port, database, username, password, timeoutMs), k -> {
            GenericObjectPoolConfig<Jedis> pool = new GenericObjectPoolConfig<>();
            pool.setMaxTotal(128);
            pool.setMaxIdle(32);
            pool.setMinIdle(0);
            pool.setMaxWait(Duration.ofMillis(timeoutMs));
            pool.setTestWhileIdle(false);
            pool.setJmxEnabled(false);
            return new JedisPool(pool, host, port, timeoutMs, username, password, database);
        });
    }

    /**
     * The redis policy's counter store for one Redis (its pipelining sender thread outlives reloads, one per Redis).
     */
    RedisRateLimitStore redisStore(String host, int port, int database, String username, String password, int timeoutMs) {
        JedisPool pool = redis(host, port, database, username, password, timeoutMs);
        return redisStores.computeIfAbsent(redisKey(host, port, database, username, password, timeoutMs),
                                           k -> new RedisRateLimitStore(pool, host + ":" + port));
    }

    /**
     * The redis policy's store with {@code sync_rate} >= 0: counters kept here and synced every {@code syncRate}
     * seconds (one per Redis and sync rate, outliving reloads like the synchronous one it starts windows with).
     */
    SyncedRedisRateLimitStore syncedRedisStore(String host, int port, int database, String username, String password,
                                               int timeoutMs, double syncRate) {
        RedisRateLimitStore direct = redisStore(host, port, database, username, password, timeoutMs);
        JedisPool pool = redis(host, port, database, username, password, timeoutMs);
        return syncedStores.computeIfAbsent(redisKey(host, port, database, username, password, timeoutMs) + "|" + syncRate,
                                            k -> new SyncedRedisRateLimitStore(direct, pool, syncRate, host + ":" + port));
    }

    private static String redisKey(String host, int port, int database, String username, String password, int timeoutMs) {
        return host + ":" + port + "/" + database + "|" + username + "|" + (password == null ? "" : password.hashCode())
                + "|" + timeoutMs;
    }

    OtlpSpanExporter exporter(URI endpoint, Map<String, String> headers, Map<String, String> resource, int batchSize,
                              long delayMillis, int maxEntries, Duration connectTimeout, Duration sendTimeout) {
        String key = endpoint + "|" + headers + "|" + resource + "|" + batchSize + "|" + delayMillis;
        return exporters.computeIfAbsent(key, k -> new OtlpSpanExporter(endpoint, headers, resource, batchSize, delayMillis,
                                                                        maxEntries, connectTimeout, sendTimeout));
    }

    /**
     * The HTTP client to services (keep-alive connections pooled per host and port).
     *
     * @return client
     */
    UpstreamClient upstream() {
        return upstream;
    }

    @Override
    public void close() {
        exporters.values().forEach(OtlpSpanExporter::close);
        // synced stores first: their last sync needs the pools (and a window's first request, the direct stores)
        syncedStores.values().forEach(SyncedRedisRateLimitStore::close);
        redisStores.values().forEach(RedisRateLimitStore::close);
        redisPools.values().forEach(JedisPool::close);
        upstream.close();
    }
}
