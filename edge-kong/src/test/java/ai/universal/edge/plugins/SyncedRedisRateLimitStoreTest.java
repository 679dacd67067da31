package ai.universal.edge.plugins;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.universal.edge.testing.Http;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * {@code sync_rate} against the real Redis on 127.0.0.1:6379. The sync rate is an hour here, so nothing syncs on its
 * own and each test calls {@code sync()} where a sync period would have ended. (Redis going away under a syncing
 * edge is covered by RedisRateLimitTest.)
 */
class SyncedRedisRateLimitStoreTest {
    private static final double NEVER = 3600;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private JedisPool pool;

    @BeforeEach
    void open() {
        pool = pool();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        try (Jedis jedis = pool.getResource()) {
            keys.forEach(jedis::del);
        }
        pool.close();
    }

    @Test
    void oneEdgeAdmitsExactlyTheLimitAndOnlyItsFirstRequestWaitsForRedis() throws Exception {
        SyncedRedisRateLimitStore store = store(NEVER);
        String minute = key();
        for (int i = 0; i < 15; i++) {
            RateLimitStore.Outcome o = store.checkAndCount(List.of(minute), List.of(10.0), List.of(60));
            assertThat(o.usage()[0], is((long) Math.min(i, 10)));
            assertThat(o.stopped(), is(i >= 10));
        }
        // only the first request reached Redis; the other nine admitted are counted here until the sync
        assertThat(redis(minute), is("1"));
        store.sync();
        assertThat(redis(minute), is("10"));
        try (Jedis jedis = pool.getResource()) {
            assertThat(jedis.ttl(minute) > 0, is(true));
        }
        // a sync sends only what is new: nothing was admitted since
        store.sync();
        assertThat(redis(minute), is("10"));
    }

    @Test
    void concurrentRequestsOnOneEdgeStillAdmitExactlyTheLimit() throws Exception {
        SyncedRedisRateLimitStore store = store(NEVER);
        String minute = key();
        String hour = key();
        int limit = 120;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RateLimitStore.Outcome>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                outcomes.add(threads.submit(() -> {
                    go.await();
                    return store.checkAndCount(List.of(minute, hour), List.of((double) limit, 1000.0), List.of(60, 3600));
                }));
            }
            go.countDown();
            int admitted = 0;
            Set<Long> seen = new HashSet<>();
            for (Future<RateLimitStore.Outcome> f : outcomes) {
                RateLimitStore.Outcome o = f.get();
                if (!o.stopped()) {
                    admitted++;
                    assertThat(seen.add(o.usage()[0]), is(true));
                }
            }
            assertThat(admitted, is(limit));
        }
        store.sync();
        assertThat(redis(minute), is(String.valueOf(limit)));
        assertThat(redis(hour), is(String.valueOf(limit)));
    }

    @Test
    void twoEdgesSeeEachOthersCountsFromTheirNextSync() throws Exception {
        SyncedRedisRateLimitStore a = store(NEVER);
        SyncedRedisRateLimitStore b = store(NEVER);
        String minute = key();
        for (int i = 0; i < 5; i++) {
            assertThat(admit(a, minute), is(true));
        }
        a.sync();
        // b's first request reads a's five from Redis, so b has five left
        int admittedByB = 0;
        while (admit(b, minute)) {
            admittedByB++;
        }
        assertThat(admittedByB, is(5));
        b.sync();
        assertThat(redis(minute), is("10"));
        // a has not synced since: the limit is approximate across edges until it does (one more passes)...
        assertThat(admit(a, minute), is(true));
        a.sync();
        // ...and its sync brings b's count back with it
        assertThat(admit(a, minute), is(false));
        assertThat(redis(minute), is("11"));
    }

    @Test
    void keysUnusedForASyncPeriodAreDroppedAndReadFromRedisAgain() throws Exception {
        SyncedRedisRateLimitStore store = store(NEVER);
        String minute = key();
        assertThat(admit(store, minute), is(true));
        assertThat(admit(store, minute), is(true));
        store.sync();
        assertThat(store.size(), is(1));
        store.sync();
        assertThat(store.size(), is(0));
        // another edge's count arrives meanwhile; the next request reads it
        try (Jedis jedis = pool.getResource()) {
            jedis.incrBy(minute, 7);
        }
        RateLimitStore.Outcome o = store.checkAndCount(List.of(minute), List.of(10.0), List.of(60));
        assertThat(o.usage()[0], is(9L));
        assertThat(store.size(), is(1));
    }

    @Test
    void closingSendsWhatWasNotSyncedYet() throws Exception {
        SyncedRedisRateLimitStore store = store(NEVER);
        String hour = key();
        for (int i = 0; i < 4; i++) {
            assertThat(admit(store, hour), is(true));
        }
        assertThat(redis(hour), is("1"));
        store.close();
        assertThat(redis(hour), is("4"));
    }

    @Test
    void aShortSyncRateSyncsOnItsOwn() throws Exception {
        SyncedRedisRateLimitStore store = store(0.05);
        String hour = key();
        for (int i = 0; i < 3; i++) {
            assertThat(admit(store, hour), is(true));
        }
        Http.await("the three counts synced without a call to sync()", Duration.ofSeconds(10),
                   () -> "3".equals(redis(hour)), () -> "Redis has " + redis(hour));
    }

    private boolean admit(SyncedRedisRateLimitStore store, String key) throws Exception {
        return !store.checkAndCount(List.of(key), List.of(10.0), List.of(3600)).stopped();
    }

    /** One edge's stores: its own pool, synchronous store and synced store. */
    private SyncedRedisRateLimitStore store(double syncRate) {
        JedisPool own = pool();
        RedisRateLimitStore direct = new RedisRateLimitStore(own, "test");
        SyncedRedisRateLimitStore store = new SyncedRedisRateLimitStore(direct, own, syncRate, "test");
        opened.add(own);
        opened.add(direct);
        opened.add(store);
        return store;
    }

    private static JedisPool pool() {
        GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
        config.setJmxEnabled(false);
        return new JedisPool(config, "127.0.0.1", 6379, 2000, null, null, 0);
    }

    private String redis(String key) {
        try (Jedis jedis = pool.getResource()) {
            return jedis.get(key);
        }
    }

    private String key() {
        String key = "ratelimit:test-sync-" + UUID.randomUUID();
        keys.add(key);
        return key;
    }
}
