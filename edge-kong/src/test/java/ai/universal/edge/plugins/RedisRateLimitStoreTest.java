package ai.universal.edge.plugins;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisException;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The redis policy's store against the real Redis on 127.0.0.1:6379: requests made at the same time share pipelined
 * round trips, and each still gets the outcome one script call per request would have given. (A Redis restarted
 * under a running edge, whose script cache is empty, is covered by RedisRateLimitTest.)
 */
class RedisRateLimitStoreTest {
    private JedisPool pool;
    private RedisRateLimitStore store;
    private final List<String> keys = new ArrayList<>();

    @BeforeEach
    void open() {
        GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
        config.setJmxEnabled(false);
        pool = new JedisPool(config, "127.0.0.1", 6379, 2000, null, null, 0);
        store = new RedisRateLimitStore(pool, "test");
    }

    @AfterEach
    void close() {
        store.close();
        try (Jedis jedis = pool.getResource()) {
            keys.forEach(jedis::del);
        }
        pool.close();
    }

    @Test
    void concurrentRequestsEachGetTheirOwnCountAndOnlyTheLimitPasses() throws Exception {
        String minute = key("minute");
        String hour = key("hour");
        int requests = 200;
        int limit = 120;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RateLimitStore.Outcome>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < requests; i++) {
                outcomes.add(pool.submit(() -> {
                    go.await();
                    return store.checkAndCount(List.of(minute, hour), List.of((double) limit, 1000.0), List.of(60, 3600));
                }));
            }
            go.countDown();
            int admitted = 0;
            int refused = 0;
            Set<Long> usagesSeen = new HashSet<>();
            for (Future<RateLimitStore.Outcome> f : outcomes) {
                RateLimitStore.Outcome o = f.get();
                if (o.stopped()) {
                    refused++;
                    assertThat(o.usage()[0], is((long) limit));
                } else {
                    admitted++;
                    // every admitted request saw a different usage before it: one atomic check-and-count each
                    assertThat(usagesSeen.add(o.usage()[0]), is(true));
                    assertThat(o.usage()[1], is(o.usage()[0]));
                }
            }
            assertThat(admitted, is(limit));
            assertThat(refused, is(requests - limit));
            assertThat(usagesSeen.size(), is(limit));
        }
        try (Jedis jedis = pool.getResource()) {
            assertThat(jedis.get(minute), is(String.valueOf(limit)));
            assertThat(jedis.get(hour), is(String.valueOf(limit)));
            long ttl = jedis.ttl(hour);
            assertThat(ttl > 60 && ttl <= 3600, is(true));
        }
    }

    @Test
    void concurrentRequestsOfSeveralClientsWithFractionalLimitsAndCountsAlreadyThere() throws Exception {
        String aMinute = key("minute");
        String aHour = key("hour");
        String bMinute = key("minute");
        String bHour = key("hour");
        try (Jedis jedis = pool.getResource()) {
            jedis.setex(bMinute, 60, "3");
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RateLimitStore.Outcome>> a = new ArrayList<>();
        List<Future<RateLimitStore.Outcome>> b = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 60; i++) {
                a.add(threads.submit(() -> {
                    go.await();
                    return store.checkAndCount(List.of(aMinute, aHour), List.of(7.5, 100.0), List.of(60, 3600));
                }));
                b.add(threads.submit(() -> {
                    go.await();
                    return store.checkAndCount(List.of(bMinute, bHour), List.of(10.0, 100.0), List.of(60, 3600));
                }));
            }
            go.countDown();
            // a: usage 0..7 is below 7.5, so 8 pass; b: starts at 3 of 10, so 7 pass
            assertThat(admitted(a, 8, 0), is(8));
            assertThat(admitted(b, 10, 3), is(7));
        }
        try (Jedis jedis = pool.getResource()) {
            assertThat(jedis.get(aMinute), is("8"));
            assertThat(jedis.get(aHour), is("8"));
            assertThat(jedis.get(bMinute), is("10"));
            assertThat(jedis.get(bHour), is("7"));
        }
    }

    /** Checks each outcome (distinct usage below the stop point when admitted, the stop point when refused). */
    private static int admitted(List<Future<RateLimitStore.Outcome>> outcomes, long stopAt, long startAt)
            throws Exception {
        Set<Long> seen = new HashSet<>();
        int admitted = 0;
        for (Future<RateLimitStore.Outcome> f : outcomes) {
            RateLimitStore.Outcome o = f.get();
            if (o.stopped()) {
                assertThat(o.usage()[0], is(stopAt));
            } else {
                admitted++;
                assertThat(seen.add(o.usage()[0]), is(true));
                assertThat(o.usage()[0] >= startAt && o.usage()[0] < stopAt, is(true));
                assertThat(o.usage()[1], is(o.usage()[0] - startAt));
            }
        }
        return admitted;
    }

    @Test
    void aClosedStoreFailsRequestsInsteadOfHangingThem() throws Exception {
        String hour = key("hour");
        assertThat(store.checkAndCount(List.of(hour), List.of(10.0), List.of(3600)).stopped(), is(false));
        store.close();
        Exception failure = null;
        try {
            store.checkAndCount(List.of(hour), List.of(10.0), List.of(3600));
        } catch (Exception e) {
            failure = e;
        }
        assertThat(failure instanceof IllegalStateException, is(true));
    }

    @Test
    void aRedisThatNeverAnswersFailsRequestsAfterThePoolTimeout() throws Exception {
        // accepts connections and reads nothing back: only the pool's read timeout can end a batch
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
            config.setJmxEnabled(false);
            try (JedisPool silentPool = new JedisPool(config, "127.0.0.1", silent.getLocalPort(), 300, null, null, 0);
                 RedisRateLimitStore silentStore = new RedisRateLimitStore(silentPool, "silent")) {
                // a bound for a hang, far above the 300 ms the pool allows, not a speed check
                Exception failure = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(
                        Exception.class,
                        () -> silentStore.checkAndCount(List.of("k"), List.of(1.0), List.of(60))));
                assertThat(String.valueOf(failure), failure instanceof JedisException, is(true));
            } finally {
                silent.close();
                acceptor.join();
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    private String key(String period) {
        String key = "ratelimit:test-" + UUID.randomUUID() + ":" + period;
        keys.add(key);
        return key;
    }
}
