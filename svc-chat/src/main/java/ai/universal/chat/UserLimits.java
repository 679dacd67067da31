package ai.universal.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import redis.clients.jedis.UnifiedJedis;

/**
 * Per-user limits kept in Redis, shared by every svc-chat replica: requests per minute (a counter per user and UTC
 * minute) and tokens per UTC day (a request is refused once the day's tokens reached the limit). Answers carry
 * OpenAI's {@code x-ratelimit-*} headers; a refusal carries {@code Retry-After}. When Redis cannot be reached the
 * request is let through (chat stays up; the log says so).
 *
 * <p>Most requests make no Redis round trip:
 * <ul>
 *     <li>Requests: a replica takes a <em>lease</em> of several requests of the minute from the Redis counter at once
 *     (a tenth of what is left, at least 1, at most {@value #MAX_LEASE}) and admits from it locally. Redis never
 *     grants more than the limit, so all replicas together never admit more than the limit in a minute; near the
 *     limit leases are one request, so one replica is exact. What another replica holds unused may make a user be
 *     refused a little early on this one.</li>
 *     <li>Tokens: a completion's tokens are counted locally at once and sent to Redis with the next lease or by a
 *     background flush within a second; the day's total read from Redis is reused for up to a second. One replica
 *     counts exactly; another sees this one's tokens within about a second.</li>
 * </ul>
 */
final class UserLimits implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(UserLimits.class.getName());
    static final int MAX_LEASE = 100;
    private static final long FRESH_MILLIS = 1000;
    private static final long FLUSH_MILLIS = 1000;
    private static final String TOKENS_TTL = Integer.toString(2 * 24 * 3600);
    // KEYS: the minute's request counter, the day's token counter. ARGV: requests wanted (0: none), the limit,
    // tokens to add, the token counter's TTL. Returns {granted, requests counted in the minute, tokens of the day}.
    private static final String LEASE = """
            local used = tonumber(redis.call('GET', KEYS[1]) or '0')
            local granted = 0
            local want = tonumber(ARGV[1])
            if want > 0 then
              granted = math.max(0, math.min(want, tonumber(ARGV[2]) - used))
              if granted > 0 then
                used = redis.call('INCRBY', KEYS[1], granted)
                if used == granted then redis.call('EXPIRE', KEYS[1], 120) end
              end
            end
            local tokens
            if tonumber(ARGV[3]) > 0 then
              tokens = redis.call('INCRBY', KEYS[2], ARGV[3])
              redis.call('EXPIRE', KEYS[2], ARGV[4])
            else
              tokens = tonumber(redis.call('GET', KEYS[2]) or '0')
            end
            return {granted, used, tokens}
            """;
    private static final String ADD = """
            local total = redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            return total
            """;

    /**
     * The outcome of a check.
     *
     * @param allowed    whether the request may go on
     * @param headers    x-ratelimit-* headers (and Retry-After when refused)
     * @param message    why it was refused
     * @param limitKind  requests or tokens (refusals)
     */
    record Decision(boolean allowed, Map<String, String> headers, String message, String limitKind) {
    }

    private final UnifiedJedis redis;
    private final UnaryOperator<String> key;
    private final Clock clock;
    private final int requestsPerMinute;
    private final long tokensPerDay;
    private final Map<String, UserState> states = new ConcurrentHashMap<>();
    private final Thread flusher;
    private volatile boolean running = true;

    UserLimits(UnifiedJedis redis, UnaryOperator<String> key, int requestsPerMinute, long tokensPerDay, Clock clock) {
        this.redis = redis;
        this.key = key;
        this.clock = clock;
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerDay = tokensPerDay;
        this.flusher = enabled() ? Thread.ofVirtual().name("chat-limits-flush").start(this::flushLoop) : null;
    }

    boolean enabled() {
        return requestsPerMinute > 0 || tokensPerDay > 0;
    }

    Decision check(String user, Instant now) {
        if (!enabled()) {
            return new Decision(true, Map.of(), null, null);
        }
        long minute = now.getEpochSecond() / 60;
        long day = now.atZone(ZoneOffset.UTC).toLocalDate().toEpochDay();
        Step step = new Step();
        states.compute(user, (u, found) -> {
            UserState s = found == null ? new UserState() : found;
            step.decision = decideLocally(s, minute, day, now, false);
            if (step.decision == null) {
                // Always ask for a lease when going to Redis, even when only the day's tokens needed reading: by
                // the time the answer is back, other requests may have spent what was left of the current one.
                step.want = requestsPerMinute > 0 ? leaseSize(s.minute == minute ? s.usedAtRedis : 0) : 0;
                step.flush = s.unflushedDay == day ? s.unflushed : 0;
                s.unflushed -= step.flush;
                s.inFlight += step.flush;
            }
            return s;
        });
        if (step.decision != null) {
            return step.decision;
        }
        List<Long> reply;
        try {
            @SuppressWarnings("unchecked")
            List<Long> r = (List<Long>) redis.eval(LEASE, List.of(rpmKey(user, minute), tokensKey(user, day)),
                                                   List.of(Long.toString(step.want), Integer.toString(requestsPerMinute),
                                                           Long.toString(step.flush), TOKENS_TTL));
            reply = r;
        } catch (RuntimeException e) {
            states.compute(user, (u, found) -> {
                UserState s = found == null ? new UserState() : found;
                s.inFlight -= step.flush;
                s.unflushed += step.flush;
                return s;
            });
            LOGGER.log(System.Logger.Level.WARNING, "Per-user limits skipped, Redis failed: " + e.getClass().getSimpleName());
            return new Decision(true, Map.of(), null, null);
        }
        states.compute(user, (u, found) -> {
            UserState s = found == null ? new UserState() : found;
            s.inFlight -= step.flush;
            if (s.minute != minute) {
                s.minute = minute;
                s.leaseLeft = 0;
                s.usedAtRedis = 0;
            }
            s.leaseLeft += (int) (long) reply.get(0);
            s.usedAtRedis = Math.max(s.usedAtRedis, reply.get(1));
            s.day = day;
            s.tokensAtRedis = reply.get(2);
            s.readAt = clock.millis();
            step.decision = decideLocally(s, minute, day, now, true);
            return s;
        });
        return step.decision;
    }

    /**
     * Count a completion's tokens (sent to Redis with the next lease or within a second).
     *
     * @param user   user
     * @param tokens tokens used
     * @param now    when
     */
    void addTokens(String user, int tokens, Instant now) {
        if (tokensPerDay <= 0 || tokens <= 0) {
            return;
        }
        long day = now.atZone(ZoneOffset.UTC).toLocalDate().toEpochDay();
        Step stale = new Step();
        states.compute(user, (u, found) -> {
            UserState s = found == null ? new UserState() : found;
            if (s.unflushedDay != day) {
                stale.flush = s.unflushed;
                stale.day = s.unflushedDay;
                s.unflushed = 0;
                s.unflushedDay = day;
            }
            s.unflushed += tokens;
            return s;
        });
        if (stale.flush > 0) {
            // the day changed with yesterday's last tokens still here: they go to yesterday's counter
            add(user, stale.day, stale.flush);
        }
    }

    // Inside the map's compute for this user. Null when Redis must be asked (lease spent, tokens not read lately),
    // unless the state was just read from Redis.
    private Decision decideLocally(UserState s, long minute, long day, Instant now, boolean afterRedis) {
        boolean leaseReady = requestsPerMinute <= 0 || (s.minute == minute && s.leaseLeft > 0);
        boolean tokensReady = tokensPerDay <= 0 || (s.day == day && clock.millis() - s.readAt < FRESH_MILLIS);
        if (!afterRedis && (!leaseReady || !tokensReady)) {
            return null;
        }
        long tokens = s.tokensAtRedis + s.inFlight + (s.unflushedDay == day ? s.unflushed : 0);
        Duration minuteReset = Duration.ofSeconds(60 - now.getEpochSecond() % 60);
        Duration dayReset = Duration.between(now, now.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant());
        boolean requestsLeft = requestsPerMinute <= 0 || s.leaseLeft > 0;
        boolean tokensLeft = tokensPerDay <= 0 || tokens < tokensPerDay;
        if (requestsLeft && tokensLeft && requestsPerMinute > 0) {
            s.leaseLeft--;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (requestsPerMinute > 0) {
            long used = s.usedAtRedis - s.leaseLeft;
            headers.put("x-ratelimit-limit-requests", Integer.toString(requestsPerMinute));
            headers.put("x-ratelimit-remaining-requests", Long.toString(Math.max(0, requestsPerMinute - used)));
            headers.put("x-ratelimit-reset-requests", format(minuteReset));
        }
        if (tokensPerDay > 0) {
            headers.put("x-ratelimit-limit-tokens", Long.toString(tokensPerDay));
            headers.put("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, tokensPerDay - tokens)));
            headers.put("x-ratelimit-reset-tokens", format(dayReset));
        }
        if (!requestsLeft) {
            headers.put("Retry-After", Long.toString(minuteReset.toSeconds()));
            return new Decision(false, headers, "Rate limit reached: " + requestsPerMinute
                    + " requests per minute. Try again in " + format(minuteReset) + ".", "requests");
        }
        if (!tokensLeft) {
            headers.put("Retry-After", Long.toString(dayReset.toSeconds()));
            return new Decision(false, headers, "Rate limit reached: " + tokensPerDay + " tokens per day. Try again in "
                    + format(dayReset) + ".", "tokens");
        }
        return new Decision(true, headers, null, null);
    }

    // A tenth of what is left of the minute, at least 1 (exact near the limit), at most MAX_LEASE.
    private long leaseSize(long usedKnown) {
        return Math.max(1, Math.min(MAX_LEASE, (requestsPerMinute - usedKnown) / 10));
    }

    private void flushLoop() {
        while (running) {
            try {
                Thread.sleep(FLUSH_MILLIS);
            } catch (InterruptedException e) {
                break;
            }
            flushAll(clock.instant().getEpochSecond() / 60);
        }
    }

    // Sends every user's unsent tokens; forgets users with nothing pending whose lease is from an earlier minute.
    private void flushAll(long currentMinute) {
        for (String user : states.keySet()) {
            Step take = new Step();
            states.computeIfPresent(user, (u, s) -> {
                if (s.unflushed == 0) {
                    return s.inFlight == 0 && s.minute < currentMinute - 1 ? null : s;
                }
                take.flush = s.unflushed;
                take.day = s.unflushedDay;
                s.unflushed = 0;
                s.inFlight += take.flush;
                return s;
            });
            if (take.flush == 0) {
                continue;
            }
            Long total = add(user, take.day, take.flush);
            states.compute(user, (u, found) -> {
                UserState s = found == null ? new UserState() : found;
                s.inFlight -= take.flush;
                if (total == null) {
                    s.unflushed += take.flush;
                } else if (s.day == take.day) {
                    s.tokensAtRedis = Math.max(s.tokensAtRedis, total);
                }
                return s;
            });
        }
    }

    private Long add(String user, long day, long tokens) {
        try {
            return (Long) redis.eval(ADD, List.of(tokensKey(user, day)), List.of(Long.toString(tokens), TOKENS_TTL));
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Token usage not counted yet, Redis failed: " + e.getClass().getSimpleName());
            return null;
        }
    }

    /** Stops the background flush and sends what is still unsent. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (flusher != null) {
            flusher.interrupt();
            flusher.join(Duration.ofSeconds(5));
        }
        flushAll(Long.MIN_VALUE);
    }

    private String rpmKey(String user, long minute) {
        return key.apply("limit:rpm:" + user + ":" + minute);
    }

    private String tokensKey(String user, long day) {
        return key.apply("limit:tpd:" + user + ":" + day);
    }

    /**
     * A duration the way OpenAI's reset headers write it: {@code 1s}, {@code 6m0s}, {@code 3h2m1s}.
     *
     * @param d duration
     * @return text
     */
    static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }

    // One user's lease and token counts; read and changed only inside the map's compute for that user, which also
    // removes it, so no caller ever holds a state the map has dropped.
    private static final class UserState {
        private long minute = Long.MIN_VALUE;
        private int leaseLeft;
        private long usedAtRedis;
        private long day = Long.MIN_VALUE;
        private long tokensAtRedis;
        private long readAt;
        private long unflushed;
        private long unflushedDay = Long.MIN_VALUE;
        private long inFlight;
    }

    // What a compute for one user hands back: the decision, or what to ask Redis for; tokens taken to send.
    private static final class Step {
        private Decision decision;
        private long want;
        private long flush;
        private long day;
    }
}
