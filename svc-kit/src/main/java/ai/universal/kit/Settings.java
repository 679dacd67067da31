package ai.universal.kit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.config.Config;

/**
 * Where a setting comes from, in order: the environment variable (the seed's names: DATABASE_URL, REDIS_URL, …),
 * a JVM system property of the same name, the service's configuration key (application.yaml, kebab-case under the
 * service name), then the default. One class so every service resolves settings the same way.
 */
public final class Settings {
    private final Config config;
    private final Function<String, String> environment;

    /**
     * Create over a config tree and the process environment.
     *
     * @param config config
     */
    public Settings(Config config) {
        this(config, System::getenv);
    }

    /**
     * Create over a config tree and an environment (tests, or the one-process stack giving each service its own).
     *
     * @param config      config
     * @param environment environment lookup
     */
    public Settings(Config config, Function<String, String> environment) {
        this.config = config;
        this.environment = environment;
    }

    /**
     * A string setting.
     *
     * @param env          environment variable name
     * @param key          config key
     * @param defaultValue default (may be null)
     * @return value
     */
    public String string(String env, String key, String defaultValue) {
        return optional(env, key).orElse(defaultValue);
    }

    /**
     * A string setting with no default.
     *
     * @param env environment variable name
     * @param key config key
     * @return value when set and not blank
     */
    public Optional<String> optional(String env, String key) {
        String value = environment.apply(env);
        if (value == null || value.isBlank()) {
            value = System.getProperty(env);
        }
        if ((value == null || value.isBlank()) && key != null) {
            value = config.get(key).asString().orElse(null);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /**
     * An integer setting.
     *
     * @param env          environment variable name
     * @param key          config key
     * @param defaultValue default
     * @return value
     */
    public int integer(String env, String key, int defaultValue) {
        return optional(env, key).map(v -> parse(env, v, Integer::parseInt)).orElse(defaultValue);
    }

    /**
     * A boolean setting.
     *
     * @param env          environment variable name
     * @param key          config key
     * @param defaultValue default
     * @return value
     */
    public boolean bool(String env, String key, boolean defaultValue) {
        return optional(env, key).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    /**
     * A duration setting: ISO-8601 ({@code PT15M}) or a number with a unit ({@code 900s}, {@code 15m}, {@code 250ms}).
     *
     * @param env          environment variable name
     * @param key          config key
     * @param defaultValue default
     * @return value
     */
    public Duration duration(String env, String key, Duration defaultValue) {
        return optional(env, key).map(v -> parse(env, v, Settings::duration)).orElse(defaultValue);
    }

    /**
     * A service's data directory: its own setting when given, else {@code <UAT_DATA_DIR>/<name>} (UAT_DATA_DIR
     * defaults to {@code data}), so the one-process stack keeps every service's files under one directory.
     *
     * @param env  environment variable name, e.g. {@code VECTOR_DATA_DIR}
     * @param key  config key
     * @param name sub-directory under the platform data directory
     * @return directory
     */
    public java.nio.file.Path dataDir(String env, String key, String name) {
        return optional(env, key).map(java.nio.file.Path::of)
                .orElseGet(() -> java.nio.file.Path.of(string("UAT_DATA_DIR", null, "data"), name));
    }

    /**
     * The underlying config tree.
     *
     * @return config
     */
    public Config config() {
        return config;
    }

    static Duration duration(String text) {
        String v = text.trim().toLowerCase();
        if (v.startsWith("p")) {
            return Duration.parse(v.toUpperCase());
        }
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> Duration.ofSeconds(Long.parseLong(v));
        };
    }

    private static <T> T parse(String name, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Setting " + name + " has an invalid value '" + value + "'", e);
        }
    }
}
