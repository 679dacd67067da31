package ai.universal.chat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import ai.universal.kit.data.Redis;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leased request counts and locally counted tokens, on the real Redis, with two "replicas" sharing it. */
@ExtendWith(RealInfra.class)
class UserLimitLeasesTest {
    private static final Instant NOW = Instant.parse("2030-03-01T10:00:10Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static Redis redis;

    @BeforeAll
    static void connect(TestInfra.Infra infra) {
        redis = Redis.connect(infra.environment().get("REDIS_URL"), infra.environment().get("REDIS_KEY_PREFIX") + "leases:", 4);
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    private static UserLimits limits(int rpm, long tokensPerDay) {
        return new UserLimits(redis.client(), redis::key, rpm, tokensPerDay, CLOCK);
    }

    @Test
    void oneReplicaAdmitsExactlyTheLimitAndCountsDown() throws Exception {
        try (UserLimits one = limits(50, 0)) {
            int allowed = 0;
            for (int i = 0; i < 80; i++) {
                UserLimits.Decision d = one.check("exact-user", NOW);
                if (d.allowed()) {
                    allowed++;
                    assertEquals(Integer.toString(50 - allowed), d.headers().get("x-ratelimit-remaining-requests"),
                                 "remaining after request " + (i + 1));
                } else {
                    assertEquals("requests", d.limitKind());
                    assertEquals("50", d.headers().get("Retry-After"));
                }
            }
            assertEquals(50, allowed);
        }
    }

    @Test
    void tworeplicasTogetherNeverAdmitMoreThanTheLimit() throws Exception {
        try (UserLimits a = limits(50, 0); UserLimits b = limits(50, 0)) {
            int allowedA = 0;
            int allowedB = 0;
            for (int i = 0; i < 100; i++) {
                allowedA += a.check("shared-user", NOW).allowed() ? 1 : 0;
                allowedB += b.check("shared-user", NOW).allowed() ? 1 : 0;
            }
            assertTrue(allowedA + allowedB <= 50, allowedA + " + " + allowedB + " admitted");
            // leases shrink to one request near the limit, so little is left unused: at most one lease per replica
            assertTrue(allowedA + allowedB >= 50 - 2 * 5, allowedA + " + " + allowedB + " admitted");
            assertTrue(allowedA > 0 && allowedB > 0);
        }
    }

    @Test
    void concurrentRequestsFarBelowTheLimitAreAllAdmittedWhileTheTokenCountIsReread() throws Exception {
        // Every 1.5 s of (moved) time the day's tokens must be read again, while other requests spend the lease.
        MovableClock clock = new MovableClock(Instant.parse("2030-03-01T11:00:00Z"));
        try (UserLimits limits = new UserLimits(redis.client(), redis::key, 1_000_000, 1_000_000, clock);
             java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            for (int step = 0; step < 20; step++) {
                clock.advance(java.time.Duration.ofMillis(1500));
                List<java.util.concurrent.Future<?>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    calls.add(pool.submit(() -> {
                        if (!limits.check("busy-user", clock.instant()).allowed()) {
                            refused.incrementAndGet();
                        }
                        limits.addTokens("busy-user", 10, clock.instant());
                    }));
                }
                for (java.util.concurrent.Future<?> call : calls) {
                    call.get();
                }
            }
            assertEquals(0, refused.get(), "requests refused far below both limits");
        }
    }

    @Test
    void tokensCountLocallyAtOnceAndReachOtherReplicasThroughRedis() throws Exception {
        try (UserLimits a = limits(0, 100); UserLimits b = limits(0, 100)) {
            assertEquals("100", a.check("token-user", NOW).headers().get("x-ratelimit-remaining-tokens"));
            a.addTokens("token-user", 70, NOW);
            assertEquals("30", a.check("token-user", NOW).headers().get("x-ratelimit-remaining-tokens"),
                         "the replica that counted them sees them at once");
            a.close(); // sends what it has not sent yet
            UserLimits.Decision other = b.check("token-user", NOW);
            assertEquals("30", other.headers().get("x-ratelimit-remaining-tokens"));
            b.addTokens("token-user", 30, NOW);
            UserLimits.Decision spent = b.check("token-user", NOW);
            assertEquals(false, spent.allowed());
            assertEquals("tokens", spent.limitKind());
        }
    }
}
