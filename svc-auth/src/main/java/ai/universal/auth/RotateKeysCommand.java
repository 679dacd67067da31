package ai.universal.auth;

import java.io.PrintStream;
import java.time.Clock;
import java.util.function.Function;

import ai.universal.kit.ServiceRunner;
import ai.universal.kit.Settings;
import ai.universal.kit.data.Database;

/**
 * {@code java -jar svc-auth.jar rotate-keys}: retire the signing key and make a new one, with the same settings the
 * service reads (DATABASE_URL, AUTH_DB_SCHEMA, ENCRYPTION_KEY, ACCESS_TOKEN_TTL, …). Running services start signing with
 * the new key within SIGNING_KEY_RELOAD; the old key stays in the JWKS until its tokens have expired. Exit codes: 0
 * rotated, 1 failed (message on stderr), 2 usage.
 */
public final class RotateKeysCommand {
    private static final String USAGE = "usage: java -jar svc-auth.jar [rotate-keys]";

    private RotateKeysCommand() {
    }

    /**
     * Run.
     *
     * @param args        command line
     * @param environment environment lookup
     * @param out         where results go
     * @param err         where errors go
     * @param clock       clock
     * @return exit code
     */
    public static int run(String[] args, Function<String, String> environment, PrintStream out, PrintStream err,
                          Clock clock) {
        if (args.length != 1 || !args[0].equals("rotate-keys")) {
            err.println(USAGE);
            return 2;
        }
        try {
            Settings settings = new Settings(ServiceRunner.loadConfig(), environment);
            AuthSettings auth = AuthSettings.from(settings);
            try (Database db = Database.connect(settings.string("DATABASE_URL", "database.url",
                                                                "postgres://postgres@127.0.0.1:5432/postgres"),
                                                settings.string("AUTH_DB_SCHEMA", "auth.db-schema", "auth"), "auth", 2)) {
                SigningKeys keys = SigningKeys.open(db.dataSource(), auth.encryptionKey().map(KeyEncryption::new).orElse(null),
                                                    clock, auth.verifyAfterRetirement(), auth.signingKeyReload());
                SigningKeys.Rotation rotation = keys.rotate();
                new AuthAudit().event("key_rotation", "by", "cli", "kid", rotation.kid(), "previous", rotation.previousKid(),
                                      "previous_verifies_until", rotation.previousVerifiesUntil());
                out.println("New signing key " + rotation.kid() + (rotation.previousKid() == null ? ""
                        : "; " + rotation.previousKid() + " stays in the JWKS until " + rotation.previousVerifiesUntil()));
                return 0;
            }
        } catch (RuntimeException e) {
            err.println("rotate-keys failed: " + e.getMessage());
            return 1;
        }
    }
}
