package ai.universal.edge.plugins;

import java.util.ArrayList;
import java.util.List;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code policy: redis}: Kong's counter keys ({@code ratelimit:<route_id>:<service_id>:<identifier>:<period_date>:<period>})
 * holding the count of admitted requests, with the window's lifetime as TTL. Check and count run as one Lua script,
 * so two edges sharing a Redis enforce exactly one limit.
 */
public final class RedisRateLimitStore implements RateLimitStore {
    private static final String SCRIPT = """
            local n = #KEYS
            local result = {}
            local stop = 0
            for i = 1, n do
              local v = tonumber(redis.call('GET', KEYS[i]) or '0')
              result[i] = v
              if v >= tonumber(ARGV[i]) then stop = 1 end
            end
            if stop == 0 then
              for i = 1, n do
                local v = redis.call('INCRBY', KEYS[i], 1)
                if v == 1 or redis.call('TTL', KEYS[i]) < 0 then
                  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[n + i]))
                end
              end
            end
            result[n + 1] = stop
            return result
            """;

    private final JedisPool pool;
    private volatile String sha;

    /**
     * Create a store on a pool.
     *
     * @param pool Jedis pool (owned by the caller)
     */
    public RedisRateLimitStore(JedisPool pool) {
        this.pool = pool;
    }

    @Override
    public Outcome checkAndCount(List<String> keys, List<Double> limits, List<Integer> ttlSeconds) {
        List<String> args = new ArrayList<>(keys.size() * 2);
        for (Double limit : limits) {
            args.add(limit == Math.rint(limit) ? String.valueOf(limit.longValue()) : String.valueOf(limit));
        }
        for (Integer ttl : ttlSeconds) {
            args.add(String.valueOf(ttl));
        }
        Object reply;
        try (Jedis jedis = pool.getResource()) {
            String current = sha;
            if (current == null) {
                current = jedis.scriptLoad(SCRIPT);
                sha = current;
            }
            try {
                reply = jedis.evalsha(current, keys, args);
            } catch (JedisDataException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                    throw e;
                }
                sha = jedis.scriptLoad(SCRIPT);
                reply = jedis.evalsha(sha, keys, args);
            }
        }
        List<?> values = (List<?>) reply;
        long[] usage = new long[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            usage[i] = ((Number) values.get(i)).longValue();
        }
        return new Outcome(usage, ((Number) values.get(keys.size())).longValue() == 1);
    }
}
