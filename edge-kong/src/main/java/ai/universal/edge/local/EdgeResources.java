package ai.universal.edge.local;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.universal.edge.plugins.EdgeMetrics;
import ai.universal.edge.plugins.LocalRateLimitStore;
import ai.universal.edge.plugins.OtlpSpanExporter;
import ai.universal.edge.plugins.RedisRateLimitStore;

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
    private final Map<String, OtlpSpanExporter> exporters = new ConcurrentHashMap<>();
    private final UpstreamClient upstream = new UpstreamClient();

    EdgeMetrics metrics() {
        return metrics;
    }

    LocalRateLimitStore localStore() {
        return localStore;
    }

    JedisPool redis(String host, int port, int database, String username, String password, int timeoutMs) {
        String key = host + ":" + port + "/" + database + "|" + username + "|" + (password == null ? "" : password.hashCode())
                + "|" + timeoutMs;
        return redisPools.computeIfAbsent(key, k -> {
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
        String key = host + ":" + port + "/" + database + "|" + username + "|" + (password == null ? "" : password.hashCode())
                + "|" + timeoutMs;
        return redisStores.computeIfAbsent(key, k -> new RedisRateLimitStore(pool, host + ":" + port));
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
        redisStores.values().forEach(RedisRateLimitStore::close);
        redisPools.values().forEach(JedisPool::close);
        upstream.close();
    }
}
