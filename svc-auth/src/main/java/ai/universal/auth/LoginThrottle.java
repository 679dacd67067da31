package ai.universal.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import ai.universal.kit.data.Redis;

/**
 * Failed-login throttling in Redis, per account and per client address. Each failure counts within a sliding
 * window; past {@code freeFailures} a lock is set whose length doubles with every further failure
 * ({@code baseDelay}, 2×, 4×, … up to {@code maxDelay}). While a lock is set the login is refused before any password
 * is hashed ({@link AuthFailure.Reason#THROTTLED}, the caller gets {@code Retry-After}). A successful login clears the
 * account's counter and lock (not the address's, so one good account cannot launder a credential-stuffing address).
 * Accounts are keyed by a hash of the email, whether or not it exists, so throttling reveals nothing about which
 * accounts exist and Redis holds no addresses.
 * <p>
 * Keys: {@code <prefix>login:fail:<kind>:<id>} (counter) and {@code <prefix>login:lock:<kind>:<id>} (lock).
 */
public final class LoginThrottle {
    private static final String RECORD_FAILURE = """
            local n = redis.call('INCR', KEYS[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            local free = tonumber(ARGV[2])
            if n > free then
              local delay = math.min(tonumber(ARGV[3]) * (2 ^ (n - free - 1)), tonumber(ARGV[4]))
              redis.call('SET', KEYS[2], '1', 'PX', math.floor(delay))
              return math.floor(delay)
            end
            return 0
            """;

    private final Redis redis;
    private final Limits account;
    private final Limits address;

    /**
     * Limits for one kind of key.
     *
     * @param freeFailures failures before delays start
     * @param baseDelay    first delay
     * @param maxDelay     longest delay
     * @param window       how long a failure is remembered
     */
    public record Limits(int freeFailures, Duration baseDelay, Duration maxDelay, Duration window) {
    }

    /**
     * Create.
     *
     * @param redis   the service's Redis
     * @param account limits per account
     * @param address limits per client address
     */
    public LoginThrottle(Redis redis, Limits account, Limits address) {
        this.redis = redis;
        this.account = account;
        this.address = address;
    }

    /**
     * How long the caller must wait before trying again, if at all.
     *
     * @param email normalized email
     * @param ip    client address
     * @return the wait, empty when a login may be tried now
     */
    public Optional<Duration> blocked(String email, String ip) {
        long accountMs = redis.client().pttl(lockKey("acct", accountId(email)));
        long addressMs = redis.client().pttl(lockKey("ip", ip));
        long ms = Math.max(accountMs, addressMs);
        return ms > 0 ? Optional.of(Duration.ofMillis(ms)) : Optional.empty();
    }

    /**
     * Count a failed login.
     *
     * @param email normalized email (need not exist)
     * @param ip    client address
     */
    public void failed(String email, String ip) {
        record("acct", accountId(email), account);
        record("ip", ip, address);
    }

    /**
     * Clear the account's failures after a successful login.
     *
     * @param email normalized email
     */
    public void succeeded(String email) {
        String id = accountId(email);
        redis.client().del(failKey("acct", id), lockKey("acct", id));
    }

    private void record(String kind, String id, Limits limits) {
        redis.client().eval(RECORD_FAILURE, List.of(failKey(kind, id), lockKey(kind, id)),
                            List.of(Long.toString(limits.window().toMillis()), Integer.toString(limits.freeFailures()),
                                    Long.toString(limits.baseDelay().toMillis()), Long.toString(limits.maxDelay().toMillis())));
    }

    private String failKey(String kind, String id) {
        return redis.key("login:fail:" + kind + ":" + id);
    }

    private String lockKey(String kind, String id) {
        return redis.key("login:lock:" + kind + ":" + id);
    }

    private static String accountId(String email) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(email.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
