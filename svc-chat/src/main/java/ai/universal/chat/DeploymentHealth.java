package ai.universal.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the gateway knows about one deployment: requests in flight, recent latency and time to first token (moving
 * averages), its own rpm/tpm budget for the current minute, and a circuit breaker — after {@code failureThreshold}
 * consecutive failures it cools down (OPEN); when the cooldown is over one probe request is let through (HALF_OPEN):
 * success closes the circuit, failure opens it for another cooldown. Counters feed /metrics.
 */
final class DeploymentHealth {

    /** Circuit state. */
    enum State {
        /** Taking requests. */
        CLOSED,
        /** Cooling down. */
        OPEN,
        /** One probe allowed. */
        HALF_OPEN
    }

    /**
     * Why a deployment was not used.
     *
     * @param coolingFor remaining cooldown, or null when it was skipped for its rpm/tpm budget or a running probe
     */
    record Unavailable(Duration coolingFor) {
    }

    private static final double ALPHA = 0.2;

    private final Deployment deployment;
    private final int failureThreshold;
    private final Duration cooldown;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder cooldowns = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openUntil = Instant.EPOCH;
    private boolean probing;
    private double latencyEwmaMs = -1;
    private double ttftEwmaMs = -1;
    private long windowMinute = -1;
    private int windowRequests;
    private long windowTokens;

    DeploymentHealth(Deployment deployment, int failureThreshold, Duration cooldown) {
        this.deployment = deployment;
        this.failureThreshold = failureThreshold;
        this.cooldown = cooldown;
    }

    Deployment deployment() {
        return deployment;
    }

    /**
     * Take a slot for one attempt.
     *
     * @param now now
     * @return null when taken, else why not
     */
    Unavailable tryAcquire(Instant now) {
        lock.lock();
        try {
            if (state == State.OPEN) {
                if (now.isBefore(openUntil)) {
                    return new Unavailable(Duration.between(now, openUntil));
                }
                state = State.HALF_OPEN;
                probing = false;
            }
            if (state == State.HALF_OPEN && probing) {
                return new Unavailable(null);
            }
            long minute = now.getEpochSecond() / 60;
            if (minute != windowMinute) {
                windowMinute = minute;
                windowRequests = 0;
                windowTokens = 0;
            }
            if ((deployment.rpm() > 0 && windowRequests >= deployment.rpm())
                    || (deployment.tpm() > 0 && windowTokens >= deployment.tpm())) {
                return new Unavailable(null);
            }
            if (state == State.HALF_OPEN) {
                probing = true;
            }
            windowRequests++;
            inFlight.incrementAndGet();
            requests.increment();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The attempt succeeded (or failed for a reason that is not the deployment's fault).
     *
     * @param now          now
     * @param latencyNanos attempt duration
     */
    void succeeded(Instant now, long latencyNanos) {
        inFlight.decrementAndGet();
        latencyNanos(latencyNanos);
        lock.lock();
        try {
            consecutiveFailures = 0;
            state = State.CLOSED;
            probing = false;
            double ms = latencyNanos / 1e6;
            latencyEwmaMs = latencyEwmaMs < 0 ? ms : ALPHA * ms + (1 - ALPHA) * latencyEwmaMs;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The attempt failed because of the deployment.
     *
     * @param now          now
     * @param latencyNanos attempt duration
     * @return true when this failure started a cooldown
     */
    boolean failed(Instant now, long latencyNanos) {
        inFlight.decrementAndGet();
        errors.increment();
        latencyNanos(latencyNanos);
        lock.lock();
        try {
            consecutiveFailures++;
            if (state == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
                state = State.OPEN;
                probing = false;
                openUntil = now.plus(cooldown);
                cooldowns.increment();
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void latencyNanos(long nanos) {
        latencyNanos.add(nanos);
    }

    void firstToken(long nanos) {
        lock.lock();
        try {
            double ms = nanos / 1e6;
            ttftEwmaMs = ttftEwmaMs < 0 ? ms : ALPHA * ms + (1 - ALPHA) * ttftEwmaMs;
        } finally {
            lock.unlock();
        }
    }

    void tokens(Usage usage) {
        promptTokens.add(usage.promptTokens());
        completionTokens.add(usage.completionTokens());
        lock.lock();
        try {
            windowTokens += usage.total();
        } finally {
            lock.unlock();
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /**
     * Recent latency for ordering: time to first token for streams when known, else whole-request latency; -1 when
     * never measured (such deployments go first, so they get measured).
     *
     * @param stream whether the request streams
     * @return milliseconds
     */
    double latencyMs(boolean stream) {
        lock.lock();
        try {
            return stream && ttftEwmaMs >= 0 ? ttftEwmaMs : latencyEwmaMs;
        } finally {
            lock.unlock();
        }
    }

    State state(Instant now) {
        lock.lock();
        try {
            return state == State.OPEN && !now.isBefore(openUntil) ? State.HALF_OPEN : state;
        } finally {
            lock.unlock();
        }
    }

    long requests() {
        return requests.sum();
    }

    long errors() {
        return errors.sum();
    }

    long cooldowns() {
        return cooldowns.sum();
    }

    long promptTokens() {
        return promptTokens.sum();
    }

    long completionTokens() {
        return completionTokens.sum();
    }

    double latencySecondsTotal() {
        return latencyNanos.sum() / 1e9;
    }
}
