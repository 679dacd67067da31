package ai.universal.edge.plugins;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * {@code policy: redis} with {@code sync_rate} ≥ 0 (Kong 3.9's rate-limiting option: counters kept in the node and
 * synced to Redis every {@code sync_rate} seconds, off the request path; -1, the default, is {@link RedisRateLimitStore}'s
 * synchronous count).
 *
 * <p>As in Kong, the first request for a counter key (a new window, a new client) makes one synchronous call, which
 * counts it in Redis and reads the count there; later requests are decided on that count plus what this edge admitted
 * since, and what it admitted is added to Redis by the sync. Unlike Kong, which forgets every counter after a sync (so
 * the next request of each key waits for Redis again), the sync's reply is Redis's new count, which becomes this
 * edge's base: requests of a busy key never wait for Redis after its first, and still see what other edges added
 * within one sync period. A key not used since the last sync is dropped (its next request reads Redis again), so the
 * counters held are those of the last two sync periods.
 *
 * <p>The price is Kong's: limits shared by several edges are approximate. Each edge can admit what it believes is left
 * until its next sync, so n edges may together admit up to n - 1 sync periods of traffic beyond a limit; one edge
 * alone admits exactly the limit. A failed sync forgets the counters, as Kong does: requests then go to Redis
 * synchronously, and fail or pass per {@code fault_tolerant} while it is down. Closing the store sends what is left.
 */
public final class SyncedRedisRateLimitStore implements RateLimitStore, AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(SyncedRedisRateLimitStore.class.getName());
    /**
     * Add this edge's admitted count (giving a key made here its window's lifetime, as the synchronous script does)
     * or, with nothing to add, read the count; either way answer Redis's count.
     */
    private static final String SYNC_SCRIPT = """
            local d = tonumber(ARGV[1])
            if d > 0 then
              local v = redis.call('INCRBY', KEYS[1], d)
              if v == d then
                redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
              end
              return v
            end
            return tonumber(redis.call('GET', KEYS[1]) or '0')
            """;

    private final RedisRateLimitStore direct;
    private final JedisPool pool;
    private final long syncNanos;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Counter> counters = new HashMap<>();
    private final Thread syncer;
    private boolean dirty;
    private volatile boolean closed;

    /**
     * Create a store.
     *
     * @param direct         the synchronous store on the same Redis, for a key's first request
     * @param pool           pool of the same Redis, for the syncs
     * @param syncRateSeconds {@code sync_rate}: seconds between syncs (0: as soon as the previous one is done)
     * @param name           for the sync thread's name
     */
    public SyncedRedisRateLimitStore(RedisRateLimitStore direct, JedisPool pool, double syncRateSeconds, String name) {
        if (!(syncRateSeconds >= 0)) {
            throw new IllegalArgumentException("sync_rate must be >= 0 here, was " + syncRateSeconds);
        }
        this.direct = direct;
        this.pool = pool;
        this.syncNanos = (long) (syncRateSeconds * 1e9);
        this.name = name;
        this.syncer = Thread.ofVirtual().name("rate-limiting-redis-sync-" + name).start(this::run);
    }

    @Override
    public Outcome checkAndCount(List<String> keys, List<Double> limits, List<Integer> ttlSeconds) throws Exception {
        if (closed) {
            throw new IllegalStateException("rate-limiting redis store is closed");
        }
        int n = keys.size();
        lock.lock();
        try {
            Counter[] known = new Counter[n];
            boolean all = true;
            for (int i = 0; i < n && all; i++) {
                known[i] = counters.get(keys.get(i));
                all = known[i] != null;
            }
            if (all) {
                long[] usage = new long[n];
                boolean stopped = false;
                for (int i = 0; i < n; i++) {
                    Counter c = known[i];
                    c.touched = true;
                    usage[i] = c.base + c.inflight + c.delta;
                    stopped |= limits.get(i) - usage[i] <= 0;
                }
                if (!stopped) {
                    for (Counter c : known) {
                        c.delta++;
                    }
                    markDirty();
                }
                return new Outcome(usage, stopped);
            }
        } finally {
            lock.unlock();
        }
        // a window this edge holds no count of: one synchronous call counts the request in Redis and reads the counts
        Outcome outcome = direct.checkAndCount(keys, limits, ttlSeconds);
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                long inRedis = outcome.usage()[i] + (outcome.stopped() ? 0 : 1);
                Counter c = counters.computeIfAbsent(keys.get(i), k -> new Counter());
                c.ttlSeconds = ttlSeconds.get(i);
                c.base = Math.max(c.base, inRedis);
                c.touched = true;
            }
            // a sync will refresh these counts, and drop them once unused
            markDirty();
        } finally {
            lock.unlock();
        }
        return outcome;
    }

    private void markDirty() {
        if (!dirty) {
            dirty = true;
            changed.signal();
        }
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                while (!dirty && !closed) {
                    changed.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
            if (!closed && syncNanos > 0) {
                long until = System.nanoTime() + syncNanos;
                lock.lock();
                try {
                    long left;
                    while (!closed && (left = until - System.nanoTime()) > 0) {
                        changed.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    // close(): sync what is left, then stop
                } finally {
                    lock.unlock();
                }
            }
            sync();
            if (closed) {
                return;
            }
        }
    }

    /**
     * Send every delta (and read every count still in use) in one pipelined round trip; the replies become the bases.
     */
    void sync() {
        List<String> keys = new ArrayList<>();
        List<Counter> sent = new ArrayList<>();
        lock.lock();
        try {
            dirty = false;
            var it = counters.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                Counter c = e.getValue();
                if (!c.touched && c.delta == 0) {
                    it.remove();
                    continue;
                }
                c.touched = false;
                c.inflight = c.delta;
                c.delta = 0;
                keys.add(e.getKey());
                sent.add(c);
            }
        } finally {
            lock.unlock();
        }
        if (keys.isEmpty()) {
            return;
        }
        List<Long> counts = new ArrayList<>(keys.size());
        try (Jedis jedis = pool.getResource()) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<Object>> replies = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                Counter c = sent.get(i);
                replies.add(pipeline.eval(SYNC_SCRIPT, List.of(keys.get(i)),
                                          List.of(String.valueOf(c.inflight), String.valueOf(c.ttlSeconds))));
            }
            pipeline.sync();
            for (Response<Object> reply : replies) {
                counts.add(((Number) reply.get()).longValue());
            }
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "rate-limiting redis sync to " + name + " failed ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); counters dropped, requests read Redis"
                    + " directly until it answers");
            lock.lock();
            try {
                counters.clear();
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            for (int i = 0; i < sent.size(); i++) {
                Counter c = sent.get(i);
                c.base = Math.max(c.base, counts.get(i));
                c.inflight = 0;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counters held now (for tests).
     *
     * @return number of keys
     */
    int size() {
        lock.lock();
        try {
            return counters.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Send what is left and stop syncing (the synchronous store and the pool are the caller's).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            syncer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Counter {
        /** Redis's count as last read. */
        long base;
        /** Sent by the sync in flight, not yet in base. */
        long inflight;
        /** Admitted here since the last sync began. */
        long delta;
        int ttlSeconds;
        /** Used since the last sync began. */
        boolean touched;
    }
}
