package ai.universal.chat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import redis.clients.jedis.UnifiedJedis;

/**
 * Per-user limits kept in Redis, shared by every svc-chat replica: requests per minute (a counter per user and UTC
 * minute, checked and counted together with reading the day's tokens in one round trip per request) and tokens per UTC
 * day (added after each completion, also in one round trip; a request is refused once the day's tokens reached the
 * limit). Answers carry OpenAI's {@code x-ratelimit-*} headers; a refusal carries
 * {@code Retry-After}. When Redis cannot be reached the request is let through (chat stays up; the log says so).
 */
final class UserLimits {
    private static final System.Logger LOGGER = System.getLogger(UserLimits.class.getName());
    private static final String CHECK = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('EXPIRE', KEYS[1], 120) end
            local t = tonumber(redis.call('GET', KEYS[2]) or '0')
            return {n, t}
            """;
    private static final String ADD = """
            redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            return 1
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
    private final java.util.function.UnaryOperator<String> key;
    private final int requestsPerMinute;
    private final long tokensPerDay;

    UserLimits(UnifiedJedis redis, java.util.function.UnaryOperator<String> key, int requestsPerMinute, long tokensPerDay) {
        this.redis = redis;
        this.key = key;
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerDay = tokensPerDay;
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
        long requests;
        long tokens;
        try {
            @SuppressWarnings("unchecked")
            List<Long> result = (List<Long>) redis.eval(CHECK, List.of(rpmKey(user, minute), tokensKey(user, day)), List.of());
            requests = result.get(0);
            tokens = result.get(1);
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Per-user limits skipped, Redis failed: " + e.getClass().getSimpleName());
            return new Decision(true, Map.of(), null, null);
        }
        Duration minuteReset = Duration.ofSeconds(60 - now.getEpochSecond() % 60);
        Duration dayReset = Duration.between(now, now.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant());
        Map<String, String> headers = new LinkedHashMap<>();
        if (requestsPerMinute > 0) {
            headers.put("x-ratelimit-limit-requests", Integer.toString(requestsPerMinute));
            headers.put("x-ratelimit-remaining-requests", Long.toString(Math.max(0, requestsPerMinute - requests)));
            headers.put("x-ratelimit-reset-requests", format(minuteReset));
        }
        if (tokensPerDay > 0) {
            headers.put("x-ratelimit-limit-tokens", Long.toString(tokensPerDay));
            headers.put("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, tokensPerDay - tokens)));
            headers.put("x-ratelimit-reset-tokens", format(dayReset));
        }
        if (requestsPerMinute > 0 && requests > requestsPerMinute) {
            headers.put("Retry-After", Long.toString(minuteReset.toSeconds()));
            return new Decision(false, headers, "Rate limit reached: " + requestsPerMinute
                    + " requests per minute. Try again in " + format(minuteReset) + ".", "requests");
        }
        if (tokensPerDay > 0 && tokens >= tokensPerDay) {
            headers.put("Retry-After", Long.toString(dayReset.toSeconds()));
            return new Decision(false, headers, "Rate limit reached: " + tokensPerDay + " tokens per day. Try again in "
                    + format(dayReset) + ".", "tokens");
        }
        return new Decision(true, headers, null, null);
    }

    void addTokens(String user, int tokens, Instant now) {
        if (tokensPerDay <= 0 || tokens <= 0) {
            return;
        }
        String k = tokensKey(user, now.atZone(ZoneOffset.UTC).toLocalDate().toEpochDay());
        try {
            redis.eval(ADD, List.of(k), List.of(Integer.toString(tokens), Integer.toString(2 * 24 * 3600)));
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Token usage not counted, Redis failed: " + e.getClass().getSimpleName());
        }
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
}
