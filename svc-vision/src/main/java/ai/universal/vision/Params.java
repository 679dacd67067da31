package ai.universal.vision;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Request parameters by name — a multipart text part wins over a query parameter of the same name — read with
 * precise 400s.
 */
public final class Params {
    private final Function<String, Optional<String>> lookup;

    /**
     * Create.
     *
     * @param lookup value by name
     */
    public Params(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    /**
     * The last segment of a field path ({@code pipeline[0].width} → {@code width}).
     *
     * @param field path
     * @return name
     */
    static String shortName(String field) {
        return field.substring(field.lastIndexOf('.') + 1);
    }

    /**
     * A string.
     *
     * @param name name
     * @return value
     */
    public Optional<String> string(String name) {
        return lookup.apply(name).map(String::trim).filter(v -> !v.isEmpty());
    }

    /**
     * A boolean ({@code true}/{@code false}/{@code 1}/{@code 0}).
     *
     * @param name     name
     * @param fallback default
     * @return value
     */
    public boolean bool(String name, boolean fallback) {
        return string(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw VisionException.invalid(name, "'" + name + "' must be true or false, not '" + v + "'");
        }).orElse(fallback);
    }

    /**
     * An integer in a range.
     *
     * @param name     name
     * @param fallback default
     * @param min      minimum
     * @param max      maximum
     * @return value
     */
    public int integer(String name, int fallback, int min, int max) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw VisionException.invalid(name, "'" + name + "' must be an integer from " + min + " to " + max + ", not '"
                + v.get() + "'");
    }

    /**
     * A number in a range.
     *
     * @param name     name
     * @param fallback default
     * @param min      minimum
     * @param max      maximum
     * @return value
     */
    public double number(String name, double fallback, double min, double max) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            double n = Double.parseDouble(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw VisionException.invalid(name, "'" + name + "' must be a number from " + min + " to " + max + ", not '"
                + v.get() + "'");
    }

    /**
     * One of a set of words.
     *
     * @param name     name
     * @param fallback default
     * @param allowed  allowed values
     * @return value
     */
    public String choice(String name, String fallback, String... allowed) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return fallback;
        }
        String lower = v.get().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(lower)) {
                return a;
            }
        }
        throw VisionException.invalid(name, "'" + name + "' must be one of " + String.join(", ", allowed) + ", not '"
                + v.get() + "'");
    }
}
