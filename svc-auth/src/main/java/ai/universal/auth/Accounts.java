package ai.universal.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import ai.universal.auth.RefreshTokens.Outcome;

/**
 * The account flows, in order of what each checks:
 * <ul>
 *     <li>register: email shape → password policy → duplicate (before any hashing) → Argon2id in the bulkhead → insert;</li>
 *     <li>login: a place in the bulkhead (or 503 at once) → throttle (before any hashing) → Argon2id against the
 *     user's hash or a dummy one → one answer for unknown account and wrong password → disabled → tokens
 *     (re-hashing an outdated hash);</li>
 *     <li>refresh: spend the refresh token (reuse revokes its family) → tokens with the owner's current roles;</li>
 *     <li>logout: revoke the refresh token's family;</li>
 *     <li>exchange: an active API key → a short-lived access token with the key's scopes.</li>
 * </ul>
 * Refusals are {@link AuthFailure}s; every security-relevant outcome is an {@link AuthAudit} event.
 */
public final class Accounts {
    private final Users users;
    private final PasswordPolicy policy;
    private final PasswordHasher hasher;
    private final HashingBulkhead bulkhead;
    private final LoginThrottle throttle;
    private final AccessTokens accessTokens;
    private final RefreshTokens refreshTokens;
    private final ApiKeys apiKeys;
    private final AuthAudit audit;
    private final Clock clock;

    /**
     * Tokens handed out by a login or a refresh.
     *
     * @param user    the account
     * @param access  access token
     * @param refresh refresh token
     */
    public record Session(Users.User user, AccessTokens.Issued access, RefreshTokens.Issued refresh) {
    }

    /**
     * An access token exchanged for an API key.
     *
     * @param access the token
     * @param scopes the key's scopes it carries
     */
    public record Exchanged(AccessTokens.Issued access, List<String> scopes) {
    }

    /**
     * Create.
     *
     * @param users         accounts
     * @param policy        password policy
     * @param hasher        password hasher
     * @param bulkhead      hashing bulkhead
     * @param throttle      login throttle
     * @param accessTokens  access tokens
     * @param refreshTokens refresh tokens
     * @param apiKeys       API keys
     * @param audit         audit log
     * @param clock         clock
     */
    public Accounts(Users users, PasswordPolicy policy, PasswordHasher hasher, HashingBulkhead bulkhead, LoginThrottle throttle,
                    AccessTokens accessTokens, RefreshTokens refreshTokens, ApiKeys apiKeys, AuthAudit audit, Clock clock) {
        this.users = users;
        this.policy = policy;
        this.hasher = hasher;
        this.bulkhead = bulkhead;
        this.throttle = throttle;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
        this.apiKeys = apiKeys;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Register an account.
     *
     * @param rawEmail email as sent
     * @param password password
     * @param ip       client address
     * @return the account
     */
    public Users.User register(String rawEmail, String password, String ip) {
        String email = EmailAddress.normalize(rawEmail);
        policy.check(password, email);
        try (HashingBulkhead.Admission admission = bulkhead.admit()) {
            if (users.exists(email)) {
                throw AuthFailure.of(AuthFailure.Reason.EMAIL_TAKEN, "An account with this email already exists");
            }
            String hash = admission.hash(() -> hasher.hash(password));
            Users.User user = users.create(email, hash, clock.instant());
            audit.event("user_registered", "user", user.id(), "roles", String.join(",", user.roles()), "ip", ip);
            return user;
        }
    }

    /**
     * Log in.
     *
     * @param rawEmail email as sent
     * @param password password
     * @param ip       client address
     * @return tokens
     */
    public Session login(String rawEmail, String password, String ip) {
        if (rawEmail == null || rawEmail.isBlank()) {
            throw AuthFailure.invalid("email", "email is required");
        }
        if (password == null || password.isEmpty()) {
            throw AuthFailure.invalid("password", "password is required");
        }
        String email = rawEmail.trim().toLowerCase(Locale.ROOT);
        try (HashingBulkhead.Admission admission = bulkhead.admit()) {
            return login(email, password, ip, admission);
        }
    }

    private Session login(String email, String password, String ip, HashingBulkhead.Admission admission) {
        Optional<Duration> wait = throttle.blocked(email, ip);
        if (wait.isPresent()) {
            audit.event("login_throttled", "account", AuthAudit.account(email), "ip", ip);
            throw AuthFailure.retryLater(AuthFailure.Reason.THROTTLED, "Too many failed sign-ins; try again later", wait.get());
        }
        Optional<Users.User> found = users.byEmail(email);
        boolean ok = password.length() <= PasswordPolicy.MAX_LENGTH * 2 && admission.hash(() -> {
            if (found.isEmpty()) {
                hasher.verifyDummy(password);
                return false;
            }
            boolean match = hasher.verify(password, found.get().passwordHash());
            if (match && hasher.needsRehash(found.get().passwordHash())) {
                users.updateHash(found.get().id(), hasher.hash(password));
            }
            return match;
        });
        if (!ok) {
            throttle.failed(email, ip);
            audit.event("login_failure", "user", found.map(Users.User::id).orElse(null), "account", AuthAudit.account(email),
                        "ip", ip, "reason", found.isEmpty() ? "unknown_account" : "wrong_password");
            throw AuthFailure.of(AuthFailure.Reason.INVALID_CREDENTIALS, "Email or password is incorrect");
        }
        Users.User user = found.get();
        if (user.disabled()) {
            audit.event("login_refused", "user", user.id(), "ip", ip, "reason", "disabled");
            throw AuthFailure.of(AuthFailure.Reason.ACCOUNT_DISABLED, "This account is disabled");
        }
        throttle.succeeded(email);
        RefreshTokens.Issued refresh = refreshTokens.startFamily(user.id(), clock.instant());
        AccessTokens.Issued access = accessTokens.issue(user.id().toString(), user.roles(), List.of("*"), null, null);
        audit.event("login_success", "user", user.id(), "ip", ip, "family", refresh.familyId());
        return new Session(user, access, refresh);
    }

    /**
     * Spend a refresh token for a new pair.
     *
     * @param token refresh token
     * @param ip    client address
     * @return tokens
     */
    public Session refresh(String token, String ip) {
        if (token == null || token.isBlank()) {
            throw AuthFailure.invalid("refresh_token", "refresh_token is required");
        }
        Outcome outcome = refreshTokens.rotate(token.trim(), clock.instant());
        return switch (outcome) {
            case Outcome.Rotated rotated -> {
                Users.User user = users.byId(rotated.userId()).orElseThrow();
                AccessTokens.Issued access = accessTokens.issue(user.id().toString(), user.roles(), List.of("*"), null, null);
                yield new Session(user, access, rotated.next());
            }
            case Outcome.Reused reused -> {
                audit.event("refresh_reuse", "user", reused.userId(), "family", reused.familyId(), "ip", ip,
                            "action", "family_revoked");
                throw AuthFailure.of(AuthFailure.Reason.REFRESH_TOKEN_REUSED,
                                     "This refresh token was already used; every session descended from it is now revoked");
            }
            case Outcome.Disabled disabled -> {
                audit.event("refresh_refused", "user", disabled.userId(), "ip", ip, "reason", "disabled");
                throw AuthFailure.of(AuthFailure.Reason.ACCOUNT_DISABLED, "This account is disabled");
            }
            case Outcome.Invalid invalid ->
                    throw AuthFailure.of(AuthFailure.Reason.INVALID_REFRESH_TOKEN, "Refresh token is invalid or expired");
        };
    }

    /**
     * Log out: revoke the refresh token's family.
     *
     * @param token refresh token
     * @param ip    client address
     */
    public void logout(String token, String ip) {
        if (token == null || token.isBlank()) {
            throw AuthFailure.invalid("refresh_token", "refresh_token is required");
        }
        UUID user = refreshTokens.revokeFamilyOf(token.trim(), clock.instant())
                .orElseThrow(() -> AuthFailure.of(AuthFailure.Reason.INVALID_REFRESH_TOKEN, "Refresh token is invalid"));
        audit.event("logout", "user", user, "ip", ip);
    }

    /**
     * Exchange an API key for an access token carrying the key's scopes, expiring no later than the key.
     *
     * @param key API key
     * @param ip  client address
     * @return access token and its scopes
     */
    public Exchanged exchange(String key, String ip) {
        ApiKeys.Grant grant = apiKeys.grant(key)
                .orElseThrow(() -> AuthFailure.of(AuthFailure.Reason.INVALID_CREDENTIALS, "API key is not valid"));
        audit.event("api_key_exchanged", "user", grant.userId(), "key", grant.keyId(), "ip", ip);
        return new Exchanged(accessTokens.issue(grant.userId().toString(), grant.roles(), grant.scopes(),
                                                grant.keyId().toString(), grant.expiresAt()), grant.scopes());
    }

    /**
     * Disable or enable an account; disabling also ends all its sessions.
     *
     * @param actor    the admin
     * @param userId   the account
     * @param disabled new state
     * @return the account
     */
    public Users.User setDisabled(String actor, UUID userId, boolean disabled) {
        if (disabled && userId.toString().equals(actor)) {
            throw AuthFailure.of(AuthFailure.Reason.CONFLICT, "You cannot disable your own account");
        }
        Instant now = clock.instant();
        Users.User user = users.setDisabled(userId, disabled, now);
        int revoked = disabled ? refreshTokens.revokeAll(userId, now, "disabled") : 0;
        audit.event(disabled ? "user_disabled" : "user_enabled", "user", userId, "by", actor, "sessions_revoked", revoked);
        return user;
    }

    /**
     * The account behind a credential, refusing disabled ones.
     *
     * @param subject user id from a token or key
     * @return account
     */
    public Users.User activeUser(String subject) {
        UUID id;
        try {
            id = UUID.fromString(subject);
        } catch (IllegalArgumentException e) {
            throw AuthFailure.of(AuthFailure.Reason.NOT_FOUND, "No such user");
        }
        Users.User user = users.byId(id).orElseThrow(() -> AuthFailure.of(AuthFailure.Reason.NOT_FOUND, "No such user"));
        if (user.disabled()) {
            throw AuthFailure.of(AuthFailure.Reason.ACCOUNT_DISABLED, "This account is disabled");
        }
        return user;
    }
}
