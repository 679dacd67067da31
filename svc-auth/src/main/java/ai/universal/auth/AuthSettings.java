package ai.universal.auth;

import java.time.Duration;
import java.util.Optional;

import ai.universal.kit.ServiceContext;
import ai.universal.kit.Settings;

/**
 * Every svc-auth setting, read once (environment variable, then {@code auth.*} in application.yaml, then the default).
 *
 * @param issuer             JWT_ISSUER
 * @param accessTokenTtl     ACCESS_TOKEN_TTL
 * @param refreshTokenTtl    REFRESH_TOKEN_TTL
 * @param clockSkew          JWT_CLOCK_SKEW (also how long past retirement a key keeps verifying)
 * @param signingKeyReload   SIGNING_KEY_RELOAD
 * @param encryptionKey      ENCRYPTION_KEY
 * @param adminEmail         ADMIN_EMAIL (normalized)
 * @param trustProxy         TRUST_PROXY
 * @param argon2             ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM
 * @param hashConcurrency    HASH_CONCURRENCY
 * @param hashQueue          HASH_QUEUE
 * @param hashQueueWait      HASH_QUEUE_WAIT
 * @param accountLimits      LOGIN_ACCOUNT_FREE_FAILURES with the shared delays
 * @param addressLimits      LOGIN_IP_FREE_FAILURES with the shared delays
 */
public record AuthSettings(String issuer, Duration accessTokenTtl, Duration refreshTokenTtl, Duration clockSkew,
                           Duration signingKeyReload, Optional<String> encryptionKey, String adminEmail, boolean trustProxy,
                           PasswordHasher.Params argon2, int hashConcurrency, int hashQueue, Duration hashQueueWait,
                           LoginThrottle.Limits accountLimits, LoginThrottle.Limits addressLimits) {

    /**
     * Read the settings.
     *
     * @param s settings
     * @return svc-auth's settings
     */
    public static AuthSettings from(Settings s) {
        int cores = Runtime.getRuntime().availableProcessors();
        int concurrency = s.integer("HASH_CONCURRENCY", "auth.hash-concurrency", cores);
        Duration base = s.duration("LOGIN_BASE_DELAY", "auth.login-base-delay", Duration.ofSeconds(1));
        Duration max = s.duration("LOGIN_MAX_DELAY", "auth.login-max-delay", Duration.ofMinutes(15));
        Duration window = s.duration("LOGIN_FAILURE_WINDOW", "auth.login-failure-window", Duration.ofMinutes(15));
        return new AuthSettings(
                s.string("JWT_ISSUER", "auth.issuer", ServiceContext.DEFAULT_ISSUER),
                positive("ACCESS_TOKEN_TTL", s.duration("ACCESS_TOKEN_TTL", "auth.access-token-ttl", Duration.ofMinutes(15))),
                positive("REFRESH_TOKEN_TTL", s.duration("REFRESH_TOKEN_TTL", "auth.refresh-token-ttl", Duration.ofDays(30))),
                s.duration("JWT_CLOCK_SKEW", "auth.clock-skew", Duration.ofSeconds(30)),
                positive("SIGNING_KEY_RELOAD",
                         s.duration("SIGNING_KEY_RELOAD", "auth.signing-key-reload", Duration.ofSeconds(30))),
                s.optional("ENCRYPTION_KEY", null),
                s.optional("ADMIN_EMAIL", "auth.admin-email").map(EmailAddress::normalize).orElse(null),
                s.bool("TRUST_PROXY", "auth.trust-proxy", false),
                new PasswordHasher.Params(s.integer("ARGON2_MEMORY_KIB", "auth.argon2-memory-kib",
                                                    PasswordHasher.OWASP_MEMORY_KIB),
                                          s.integer("ARGON2_ITERATIONS", "auth.argon2-iterations", 2),
                                          s.integer("ARGON2_PARALLELISM", "auth.argon2-parallelism", 1)),
                concurrency,
                s.integer("HASH_QUEUE", "auth.hash-queue", 4 * concurrency),
                s.duration("HASH_QUEUE_WAIT", "auth.hash-queue-wait", Duration.ofSeconds(2)),
                new LoginThrottle.Limits(s.integer("LOGIN_ACCOUNT_FREE_FAILURES", "auth.login-account-free-failures", 5),
                                         base, max, window),
                new LoginThrottle.Limits(s.integer("LOGIN_IP_FREE_FAILURES", "auth.login-ip-free-failures", 20),
                                         base, max, window));
    }

    /**
     * How long a retired signing key keeps verifying: every token it signed has expired by then, including tokens
     * signed by replicas that had not yet reloaded the keys.
     *
     * @return duration
     */
    public Duration verifyAfterRetirement() {
        return accessTokenTtl.plus(signingKeyReload).plus(clockSkew);
    }

    private static Duration positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("Setting " + name + " must be positive");
        }
        return value;
    }
}
