package ai.universal.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routing decisions: order per strategy, retries, fallbacks, cooldown and half-open recovery. */
class RouterTest {
    private static final Provider P = new Provider.OpenAiCompatible("http://127.0.0.1:1/v1", null);

    private final MovableClock clock = new MovableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final List<String> tried = new ArrayList<>();

    private Router router(int retries, int threshold) {
        return new Router(clock, retries, Duration.ofMillis(1), threshold, Duration.ofSeconds(30), h -> { });
    }

    private static Deployment d(String id, int priority, int weight, int rpm) {
        return new Deployment(id, P, id, weight, priority, rpm, 0, Duration.ofSeconds(5), 0);
    }

    private static ModelAlias alias(String name, RoutingStrategy strategy, List<String> fallbacks, List<String> context,
                                    Deployment... deployments) {
        return new ModelAlias(name, strategy, List.of(deployments), fallbacks, context, "test");
    }

    private static UpstreamException error(UpstreamException.Kind kind) {
        return new UpstreamException(kind, 0, kind.name());
    }

    /** An attempt that fails with the given kind on the named deployments and answers with the id elsewhere. */
    private Router.Attempt<String> failOn(Map<String, UpstreamException.Kind> failures) {
        return (d, h) -> {
            tried.add(d.id());
            UpstreamException.Kind kind = failures.get(d.id());
            if (kind != null) {
                throw error(kind);
            }
            return d.id();
        };
    }

    @Test
    void priorityRoutingRetriesEachDeploymentThenMovesOnInPriorityOrder() {
        ModelAlias a = alias("a", RoutingStrategy.PRIORITY, List.of(), List.of(), d("third", 2, 1, 0), d("first", 0, 1, 0),
                             d("second", 1, 1, 0));
        Router.Routed<String> routed = router(1, 10).route(a, n -> Optional.empty(), false, failOn(Map.of(
                "first", UpstreamException.Kind.SERVER, "second", UpstreamException.Kind.CONNECT)));
        assertEquals("third", routed.value());
        assertEquals(List.of("first", "first", "second", "second", "third"), tried);
        assertEquals(5, routed.attempts());
    }

    @Test
    void nonRetryableErrorsMoveOnWithoutRetrying() {
        ModelAlias a = alias("a", RoutingStrategy.PRIORITY, List.of(), List.of(), d("auth", 0, 1, 0), d("ok", 1, 1, 0));
        assertEquals("ok", router(3, 10).route(a, n -> Optional.empty(), false,
                                               failOn(Map.of("auth", UpstreamException.Kind.AUTH))).value());
        assertEquals(List.of("auth", "ok"), tried);
    }

    @Test
    void fallbackAliasesAreTriedInOrderAfterEveryDeploymentFailed() {
        ModelAlias main = alias("main", RoutingStrategy.PRIORITY, List.of("backup", "last"), List.of(), d("m", 0, 1, 0));
        ModelAlias backup = alias("backup", RoutingStrategy.PRIORITY, List.of("main"), List.of(), d("b", 0, 1, 0));
        ModelAlias last = alias("last", RoutingStrategy.PRIORITY, List.of(), List.of(), d("l", 0, 1, 0));
        Map<String, ModelAlias> all = Map.of("backup", backup, "last", last, "main", main);
        Router.Routed<String> routed = router(0, 10).route(main, n -> Optional.ofNullable(all.get(n)), false, failOn(Map.of(
                "m", UpstreamException.Kind.SERVER, "b", UpstreamException.Kind.OVERLOADED)));
        assertEquals("l", routed.value());
        assertEquals("last", routed.alias());
        assertEquals(List.of("m", "b", "l"), tried);
    }

    @Test
    void promptTooLongGoesToTheContextWindowFallbacksOnly() {
        ModelAlias small = alias("small", RoutingStrategy.PRIORITY, List.of("other"), List.of("big"), d("s1", 0, 1, 0),
                                 d("s2", 1, 1, 0));
        ModelAlias big = alias("big", RoutingStrategy.PRIORITY, List.of(), List.of(), d("big-1", 0, 1, 0));
        Router.Routed<String> routed = router(2, 10).route(small, n -> Optional.of(n.equals("big") ? big : small), false,
                                                           failOn(Map.of("s1", UpstreamException.Kind.CONTEXT_LENGTH)));
        assertEquals("big-1", routed.value());
        assertEquals(List.of("s1", "big-1"), tried);

        ModelAlias nowhere = alias("nowhere", RoutingStrategy.PRIORITY, List.of(), List.of(), d("n", 0, 1, 0));
        UpstreamException e = assertThrows(UpstreamException.class, () -> router(2, 10).route(
                nowhere, n -> Optional.empty(), false, failOn(Map.of("n", UpstreamException.Kind.CONTEXT_LENGTH))));
        assertEquals(UpstreamException.Kind.CONTEXT_LENGTH, e.kind());
    }

    @Test
    void badRequestIsReturnedAtOnceAndDoesNotHurtTheDeployment() {
        Router r = router(2, 1);
        Deployment only = d("x", 0, 1, 0);
        ModelAlias a = alias("a", RoutingStrategy.PRIORITY, List.of(), List.of(), only, d("y", 1, 1, 0));
        UpstreamException e = assertThrows(UpstreamException.class, () -> r.route(
                a, n -> Optional.empty(), false, failOn(Map.of("x", UpstreamException.Kind.BAD_REQUEST))));
        assertEquals(UpstreamException.Kind.BAD_REQUEST, e.kind());
        assertEquals(List.of("x"), tried);
        assertEquals(DeploymentHealth.State.CLOSED, r.health(only).state(clock.instant()));
    }

    @Test
    void deploymentCoolsDownAfterConsecutiveFailuresAndOneProbeDecidesRecovery() {
        Router r = router(0, 2);
        Deployment x = d("x", 0, 1, 0);
        ModelAlias a = alias("a", RoutingStrategy.PRIORITY, List.of(), List.of(), x);
        Map<String, UpstreamException.Kind> failing = Map.of("x", UpstreamException.Kind.SERVER);
        assertThrows(Router.ExhaustedException.class, () -> r.route(a, n -> Optional.empty(), false, failOn(failing)));
        assertEquals(DeploymentHealth.State.CLOSED, r.health(x).state(clock.instant()));
        assertThrows(Router.ExhaustedException.class, () -> r.route(a, n -> Optional.empty(), false, failOn(failing)));
        assertEquals(DeploymentHealth.State.OPEN, r.health(x).state(clock.instant()));

        clock.advance(Duration.ofSeconds(10));
        Router.ExhaustedException cooling = assertThrows(Router.ExhaustedException.class,
                                                         () -> r.route(a, n -> Optional.empty(), false, failOn(Map.of())));
        assertNull(cooling.last(), "nothing was tried");
        assertEquals(Duration.ofSeconds(20), cooling.retryAfter());
        assertEquals(2, tried.size());

        clock.advance(Duration.ofSeconds(20));
        assertEquals(DeploymentHealth.State.HALF_OPEN, r.health(x).state(clock.instant()));
        assertThrows(Router.ExhaustedException.class, () -> r.route(a, n -> Optional.empty(), false, failOn(failing)));
        assertEquals(DeploymentHealth.State.OPEN, r.health(x).state(clock.instant()), "a failed probe reopens at once");
        assertEquals(2, r.health(x).cooldowns());

        clock.advance(Duration.ofSeconds(30));
        assertEquals("x", r.route(a, n -> Optional.empty(), false, failOn(Map.of())).value());
        assertEquals(DeploymentHealth.State.CLOSED, r.health(x).state(clock.instant()));
        assertEquals(List.of("x", "x", "x", "x"), tried);
    }

    @Test
    void halfOpenLetsExactlyOneProbeThrough() {
        Router r = router(0, 1);
        Deployment x = d("x", 0, 1, 0);
        ModelAlias a = alias("a", RoutingStrategy.PRIORITY, List.of(), List.of(), x);
        assertThrows(Router.ExhaustedException.class, () -> r.route(a, n -> Optional.empty(), false,
                                                                    failOn(Map.of("x", UpstreamException.Kind.SERVER))));
        clock.advance(Duration.ofSeconds(30));
        String answer = r.route(a, n -> Optional.empty(), false, (d, h) -> {
            Router.ExhaustedException during = assertThrows(Router.ExhaustedException.class, () -> r.route(
                    a, n -> Optional.empty(), false, failOn(Map.of())));
            assertNull(during.last());
            return "probe";
        }).value();
        assertEquals("probe", answer);
    }

    @Test
    void leastInFlightSendsTheNextRequestToTheIdleDeployment() {
        Router r = router(0, 3);
        ModelAlias a = alias("a", RoutingStrategy.LEAST_IN_FLIGHT, List.of(), List.of(), d("busy", 0, 1, 0),
                             d("idle", 1, 1, 0));
        String outer = r.route(a, n -> Optional.empty(), false, (d, h) -> {
            assertEquals(1, h.inFlight());
            return d.id() + "+" + r.route(a, n -> Optional.empty(), false, (d2, h2) -> d2.id()).value();
        }).value();
        assertEquals("busy+idle", outer);
    }

    @Test
    void lowestLatencyPrefersTheFastestAndUsesTimeToFirstTokenForStreams() {
        Router r = router(0, 3);
        Deployment slow = d("slow", 0, 1, 0);
        Deployment fast = d("fast", 1, 1, 0);
        Deployment fresh = d("fresh", 2, 1, 0);
        ModelAlias a = alias("a", RoutingStrategy.LOWEST_LATENCY, List.of(), List.of(), slow, fast, fresh);
        measure(r.health(slow), 400, 5);
        measure(r.health(fast), 100, 80);
        measure(r.health(fresh), -1, -1);
        assertEquals(List.of("fresh", "fast", "slow"), r.order(a, false).stream().map(Deployment::id).toList());
        assertEquals(List.of("fresh", "slow", "fast"), r.order(a, true).stream().map(Deployment::id).toList());
    }

    private void measure(DeploymentHealth h, long latencyMs, long ttftMs) {
        if (latencyMs < 0) {
            return;
        }
        assertNull(h.tryAcquire(clock.instant()));
        h.firstToken(Duration.ofMillis(ttftMs).toNanos());
        h.succeeded(clock.instant(), Duration.ofMillis(latencyMs).toNanos());
    }

    @Test
    void weightedShuffleFollowsTheWeights() {
        Router r = router(0, 3);
        ModelAlias a = alias("a", RoutingStrategy.WEIGHTED, List.of(), List.of(), d("heavy", 0, 9, 0), d("light", 0, 1, 0));
        int heavyFirst = 0;
        for (int i = 0; i < 2000; i++) {
            List<Deployment> order = r.order(a, false);
            assertEquals(2, order.size());
            heavyFirst += order.getFirst().id().equals("heavy") ? 1 : 0;
        }
        assertTrue(heavyFirst > 1700 && heavyFirst < 1900, "heavy first " + heavyFirst + " of 2000");
    }

    @Test
    void deploymentAtItsRequestsPerMinuteIsSkippedUntilTheNextMinute() {
        Router r = router(0, 3);
        ModelAlias a = alias("a", RoutingStrategy.PRIORITY, List.of(), List.of(), d("capped", 0, 1, 1), d("spare", 1, 1, 0));
        assertEquals("capped", r.route(a, n -> Optional.empty(), false, failOn(Map.of())).value());
        assertEquals("spare", r.route(a, n -> Optional.empty(), false, failOn(Map.of())).value());
        clock.advance(Duration.ofSeconds(60));
        assertEquals("capped", r.route(a, n -> Optional.empty(), false, failOn(Map.of())).value());
    }

    @Test
    void streamThatBrokeAfterItsFirstByteIsNeverRetried() {
        Router r = router(3, 1);
        Deployment x = d("x", 0, 1, 0);
        ModelAlias a = alias("a", RoutingStrategy.PRIORITY, List.of(), List.of(), x, d("y", 1, 1, 0));
        StreamInterruptedException broken = new StreamInterruptedException(error(UpstreamException.Kind.PROTOCOL));
        StreamInterruptedException thrown = assertThrows(StreamInterruptedException.class, () -> r.route(
                a, n -> Optional.empty(), true, (d, h) -> {
                    tried.add(d.id());
                    throw broken;
                }));
        assertSame(broken, thrown);
        assertEquals(List.of("x"), tried);
        assertEquals(1, r.health(x).errors());
        assertEquals(DeploymentHealth.State.OPEN, r.health(x).state(clock.instant()));
    }
}
