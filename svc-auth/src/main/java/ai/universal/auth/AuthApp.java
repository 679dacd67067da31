package ai.universal.auth;

import java.time.Clock;

import javax.sql.DataSource;

import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceContext;
import ai.universal.kit.auth.Authenticator;
import ai.universal.kit.http.Access;
import ai.universal.kit.observe.Health;

import io.helidon.webserver.http.HttpRules;

/**
 * svc-auth (port 8015): users, Argon2id passwords, RS256 access tokens with rotating keys and their JWKS, rotating
 * refresh tokens, API keys and their introspection. Endpoints are listed on {@link AuthService}, {@link ApiKeyService}
 * and {@link AdminService}. Credentials sent to svc-auth are verified against its own key store and API-key table
 * (no HTTP call to itself).
 */
public final class AuthApp implements ServiceApp {
    private static final System.Logger LOGGER = System.getLogger(AuthApp.class.getName());

    @Override
    public String name() {
        return "svc-auth";
    }

    @Override
    public String key() {
        return "auth";
    }

    @Override
    public int defaultPort() {
        return 8015;
    }

    @Override
    public boolean usesDatabase() {
        return true;
    }

    @Override
    public boolean usesRedis() {
        return true;
    }

    @Override
    public long maxPayloadBytes() {
        return 64 * 1024;
    }

    @Override
    public void setUp(ServiceContext ctx, HttpRules rules) {
        AuthSettings settings = AuthSettings.from(ctx.settings());
        Clock clock = ctx.clock();
        DataSource db = ctx.database().dataSource();
        if (!settings.argon2().meetsOwasp()) {
            LOGGER.log(System.Logger.Level.WARNING, "Argon2id parameters " + settings.argon2() + " are below OWASP's minimum "
                    + "(m=19456 KiB, t=2, p=1): use them for tests only");
        }
        SigningKeys keys = SigningKeys.open(db, settings.encryptionKey().map(KeyEncryption::new).orElse(null), clock,
                                            settings.verifyAfterRetirement(), settings.signingKeyReload());
        ApiKeys apiKeys = new ApiKeys(db, clock);
        ctx.authenticator(new Authenticator(ctx.jwtVerifier(keys), apiKeys));
        Access access = ctx.access();

        Users users = new Users(db, settings.adminEmail());
        if (users.promoteConfiguredAdmin()) {
            LOGGER.log(System.Logger.Level.INFO, "event=admin_bootstrap email_configured=true");
        }
        AuthAudit audit = new AuthAudit();
        Accounts accounts = new Accounts(users, PasswordPolicy.builtIn(), new PasswordHasher(settings.argon2()),
                                         new HashingBulkhead(settings.hashConcurrency(), settings.hashQueue(),
                                                             settings.hashQueueWait()),
                                         new LoginThrottle(ctx.redis(), settings.accountLimits(), settings.addressLimits()),
                                         new AccessTokens(keys, settings.issuer(), settings.accessTokenTtl(), clock),
                                         new RefreshTokens(db, settings.refreshTokenTtl()), apiKeys, audit, clock);
        ctx.health().add("signing_key", () -> keys.published().isEmpty()
                ? Health.Result.down("no signing key")
                : Health.Result.ok());
        rules.register(new AuthService(accounts, keys, access, settings.trustProxy()),
                       new ApiKeyService(accounts, apiKeys, access, audit, clock),
                       new AdminService(accounts, users, keys, access, audit));
    }
}
