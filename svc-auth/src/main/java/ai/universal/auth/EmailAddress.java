package ai.universal.auth;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Email addresses as account names: trimmed and lower-cased (so {@code Ann@Example.org } and {@code ann@example.org}
 * are one account), then checked for a plausible shape — one {@code @}, a local part of at most 64 characters, a
 * domain with at least one dot, 254 characters in all. Deliverability is not checked.
 */
public final class EmailAddress {
    private static final Pattern LOCAL = Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private EmailAddress() {
    }

    /**
     * Normalize and validate.
     *
     * @param raw as sent
     * @return the normalized address
     * @throws AuthFailure INVALID_FIELD on {@code email}
     */
    public static String normalize(String raw) {
        if (raw == null || raw.isBlank()) {
            throw AuthFailure.invalid("email", "email is required");
        }
        String email = raw.trim().toLowerCase(Locale.ROOT);
        if (email.length() > 254) {
            throw AuthFailure.invalid("email", "email must be at most 254 characters");
        }
        int at = email.indexOf('@');
        if (at <= 0 || at != email.lastIndexOf('@') || at == email.length() - 1) {
            throw AuthFailure.invalid("email", "email must look like name@example.org");
        }
        String local = email.substring(0, at);
        String domain = email.substring(at + 1);
        if (!LOCAL.matcher(local).matches() || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw AuthFailure.invalid("email", "email has an invalid part before the @");
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            throw AuthFailure.invalid("email", "email domain must contain a dot, like example.org");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw AuthFailure.invalid("email", "email has an invalid domain");
            }
        }
        return email;
    }

    /**
     * The part before the {@code @} of a normalized address.
     *
     * @param email normalized address
     * @return local part
     */
    public static String localPart(String email) {
        return email.substring(0, email.indexOf('@'));
    }
}
