package ai.universal.edge.config;

import java.util.List;

/**
 * A declarative config that cannot be used; carries every error found, not only the first.
 */
public final class ConfigException extends Exception {
    private final List<ConfigError> errors;

    /**
     * Create an exception for a list of errors.
     *
     * @param errors errors found (at least one)
     */
    public ConfigException(List<ConfigError> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    /**
     * Errors found, in document order.
     *
     * @return errors
     */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String summary(List<ConfigError> errors) {
        StringBuilder sb = new StringBuilder(errors.size() + " error(s) in declarative config");
        for (ConfigError e : errors) {
            sb.append("\n  ").append(e.describe());
        }
        return sb.toString();
    }
}
