package ai.universal.auth;

import java.time.Clock;

import ai.universal.kit.ServiceRunner;

import io.helidon.logging.common.LogConfig;

/**
 * Runs svc-auth: {@code java -jar svc-auth.jar} serves; {@code java -jar svc-auth.jar rotate-keys} rotates the
 * signing key against the same DATABASE_URL and exits (see {@link RotateKeysCommand}).
 */
public final class AuthMain {
    private AuthMain() {
    }

    /**
     * Start the service, or run a command.
     *
     * @param args none to serve; {@code rotate-keys} to rotate
     */
    public static void main(String[] args) {
        if (args.length > 0) {
            LogConfig.configureRuntime();
            System.exit(RotateKeysCommand.run(args, System::getenv, System.out, System.err, Clock.systemUTC()));
        }
        ServiceRunner.main(new AuthApp());
    }
}
