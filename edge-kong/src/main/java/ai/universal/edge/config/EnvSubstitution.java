package ai.universal.edge.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in the text of kong.yml with values from the environment.
 * Kong itself reads no environment variables from a declarative file, so {@code render} does this before Kong sees it.
 * {@code $${} writes a literal {@code ${}. A variable that is unset and has no default is an error (with its line).
 */
public final class EnvSubstitution {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private EnvSubstitution() {
    }

    /**
     * Substitute using the process environment.
     *
     * @param text file text
     * @return substituted text
     * @throws ConfigException when a variable without default is unset
     */
    public static String apply(String text) throws ConfigException {
        return apply(text, System::getenv);
    }

    /**
     * Substitute using a map (tests) or any lookup.
     *
     * @param text   file text
     * @param lookup variable lookup, null when unset
     * @return substituted text
     * @throws ConfigException when a variable without default is unset
     */
    public static String apply(String text, Function<String, String> lookup) throws ConfigException {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        List<ConfigError> errors = new ArrayList<>();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$${")) {
                replacement = "${";
            } else {
                String name = m.group(1);
                String value = lookup.apply(name);
                if (value == null || (value.isEmpty() && m.group(2) != null)) {
                    if (m.group(2) == null) {
                        errors.add(new ConfigError("", lineOf(text, m.start()),
                                                   "environment variable " + name + " is not set and has no default"));
                        value = "";
                    } else {
                        value = m.group(3);
                    }
                }
                replacement = value;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return out.toString();
    }

    /**
     * Substitute with a fixed map.
     *
     * @param text text
     * @param env  variables
     * @return substituted text
     * @throws ConfigException when a variable without default is unset
     */
    public static String apply(String text, Map<String, String> env) throws ConfigException {
        return apply(text, env::get);
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
