package ai.universal.chat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Chooses where a request goes and what happens when that fails. The alias's deployments are ordered by its strategy;
 * each deployment gets the attempt, retried with exponential backoff on retryable errors (connection, timeout, 429,
 * 5xx, overload); then the next deployment; then the alias's fallback aliases, in order. A prompt too long for the
 * model switches to the context-window fallbacks. A request the upstream rejects as invalid is not retried anywhere.
 * Deployments cooling down are skipped; when every one is, the caller learns for how long.
 * <p>
 * Streams: an attempt that has already sent bytes to the client must not be retried; it throws something other
 * than {@link UpstreamException} and the router lets it through untouched.
 */
final class Router {
    private static final System.Logger LOGGER = System.getLogger(Router.class.getName());

    private final Clock clock;
    private final int retries;
    private final Duration backoff;
    private final int failureThreshold;
    private final Duration cooldown;
    private final Map<String, DeploymentHealth> health = new ConcurrentHashMap<>();
    private final Consumer<DeploymentHealth> onNew;

    Router(Clock clock, int retries, Duration backoff, int failureThreshold, Duration cooldown,
           Consumer<DeploymentHealth> onNew) {
        this.clock = clock;
        this.onNew = onNew;
        this.retries = retries;
        this.backoff = backoff;
        this.failureThreshold = failureThreshold;
        this.cooldown = cooldown;
    }

    /** One attempt on one deployment. */
    @FunctionalInterface
    interface Attempt<T> {
        T run(Deployment deployment, DeploymentHealth health);
    }

    /**
     * What served the request.
     *
     * @param value      the attempt's result
     * @param deployment deployment that served it
     * @param alias      alias it belongs to (differs from the asked alias after a fallback)
     * @param attempts   attempts made, this one included
     */
    record Routed<T>(T value, Deployment deployment, String alias, int attempts) {
    }

    /** Every deployment failed; carries the last upstream failure. */
    static final class ExhaustedException extends RuntimeException {
        private final transient UpstreamException last;
        private final int attempts;
        private final Duration retryAfter;

        ExhaustedException(UpstreamException last, int attempts, Duration retryAfter) {
            super(last == null ? "No deployment is available" : last.getMessage(), null, false, false);
            this.last = last;
            this.attempts = attempts;
            this.retryAfter = retryAfter;
        }

        /** Last failure, or null when no deployment could even be tried (all cooling down or over budget). */
        UpstreamException last() {
            return last;
        }

        int attempts() {
            return attempts;
        }

        /** Shortest remaining cooldown, when that is why nothing was tried. */
        Duration retryAfter() {
            return retryAfter;
        }
    }

    DeploymentHealth health(Deployment deployment) {
        DeploymentHealth known = health.get(deployment.id());
        if (known != null) {
            return known;
        }
        DeploymentHealth created = new DeploymentHealth(deployment, failureThreshold, cooldown);
        DeploymentHealth raced = health.putIfAbsent(deployment.id(), created);
        if (raced != null) {
            return raced;
        }
        onNew.accept(created);
        return created;
    }

    Collection<DeploymentHealth> allHealth() {
        return health.values();
    }

    Clock clock() {
        return clock;
    }

    /**
     * Deployments of an alias in the order the strategy wants them tried.
     *
     * @param alias  alias
     * @param stream whether the request streams (latency strategy uses time to first token)
     * @return ordered deployments
     */
    List<Deployment> order(ModelAlias alias, boolean stream) {
        List<Deployment> list = new ArrayList<>(alias.deployments());
        switch (alias.strategy()) {
        case PRIORITY -> list.sort(Comparator.comparingInt(Deployment::priority));
        case WEIGHTED -> {
            List<Deployment> shuffled = new ArrayList<>();
            while (!list.isEmpty()) {
                int total = list.stream().mapToInt(Deployment::weight).sum();
                int pick = ThreadLocalRandom.current().nextInt(total);
                for (int i = 0; i < list.size(); i++) {
                    pick -= list.get(i).weight();
                    if (pick < 0) {
                        shuffled.add(list.remove(i));
                        break;
                    }
                }
            }
            list = shuffled;
        }
        case LEAST_IN_FLIGHT -> list.sort(Comparator.comparingInt((Deployment d) -> health(d).inFlight())
                                                  .thenComparingInt(Deployment::priority));
        case LOWEST_LATENCY -> list.sort(Comparator.comparingDouble((Deployment d) -> health(d).latencyMs(stream))
                                                 .thenComparingInt(Deployment::priority));
        default -> {
        }
        }
        return list;
    }

    /**
     * Run the attempt where the routing rules say.
     *
     * @param alias   the alias asked for
     * @param lookup  finds fallback aliases by name
     * @param stream  whether the request streams
     * @param attempt the attempt
     * @return result and where it came from
     * @throws UpstreamException   when the upstream rejected the request itself (or the prompt fits nowhere)
     * @throws ExhaustedException  when every deployment failed or none was available
     */
    <T> Routed<T> route(ModelAlias alias, Function<String, Optional<ModelAlias>> lookup, boolean stream, Attempt<T> attempt) {
        Deque<ModelAlias> queue = new ArrayDeque<>();
        Set<String> visited = new HashSet<>();
        queue.add(alias);
        visited.add(alias.name());
        UpstreamException last = null;
        Duration shortestCooldown = null;
        int attempts = 0;
        while (!queue.isEmpty()) {
            ModelAlias current = queue.poll();
            boolean contextSwitch = false;
            deployments:
            for (Deployment d : order(current, stream)) {
                DeploymentHealth h = health(d);
                Duration wait = backoff;
                for (int round = 0; round <= retries; round++) {
                    DeploymentHealth.Unavailable unavailable = h.tryAcquire(clock.instant());
                    if (unavailable != null) {
                        if (unavailable.coolingFor() != null && (shortestCooldown == null
                                || unavailable.coolingFor().compareTo(shortestCooldown) < 0)) {
                            shortestCooldown = unavailable.coolingFor();
                        }
                        continue deployments;
                    }
                    attempts++;
                    long start = System.nanoTime();
                    try {
                        T value = attempt.run(d, h);
                        h.succeeded(clock.instant(), System.nanoTime() - start);
                        return new Routed<>(value, d, current.name(), attempts);
                    } catch (UpstreamException e) {
                        last = e;
                        UpstreamException.Kind kind = e.kind();
                        if (kind.deploymentFault()) {
                            if (h.failed(clock.instant(), System.nanoTime() - start)) {
                                LOGGER.log(System.Logger.Level.WARNING, "Deployment " + d.id() + " cools down for "
                                        + cooldown.toSeconds() + "s after: " + e.getMessage());
                            }
                        } else {
                            h.succeeded(clock.instant(), System.nanoTime() - start);
                        }
                        if (kind == UpstreamException.Kind.BAD_REQUEST) {
                            throw e;
                        }
                        if (kind == UpstreamException.Kind.CONTEXT_LENGTH) {
                            contextSwitch = true;
                            break deployments;
                        }
                        if (!kind.retrySame() || round == retries) {
                            continue deployments;
                        }
                        pause(wait);
                        wait = wait.multipliedBy(2);
                    } catch (RuntimeException e) {
                        // the stream broke after bytes reached the client, or the client went away: no retry
                        if (e instanceof StreamInterruptedException) {
                            h.failed(clock.instant(), System.nanoTime() - start);
                        } else {
                            h.succeeded(clock.instant(), System.nanoTime() - start);
                        }
                        throw e;
                    }
                }
            }
            List<String> next = contextSwitch ? current.contextWindowFallbacks() : current.fallbacks();
            if (contextSwitch) {
                queue.clear();
                if (next.isEmpty()) {
                    throw last;
                }
            }
            for (String name : next) {
                if (visited.add(name)) {
                    lookup.apply(name).ifPresent(queue::add);
                }
            }
        }
        throw new ExhaustedException(last, attempts, last == null ? shortestCooldown : null);
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT, 0, "Interrupted while backing off");
        }
    }
}
