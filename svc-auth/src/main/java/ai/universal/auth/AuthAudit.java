package ai.universal.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Security events as one structured log line each ({@code event=login_success user=… ip=…}) on the logger
 * {@code ai.universal.auth.audit}, so they can be routed and kept apart from the rest. Never a password, token or key:
 * users appear by id, unknown accounts by a short hash of the email, keys by id. Values are reduced to safe characters
 * so a crafted header cannot forge a log line.
 */
public final class AuthAudit {
    private static final System.Logger AUDIT = System.getLogger("ai.universal.auth.audit");
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._:@/+,-]");

    /**
     * Log an event.
     *
     * @param event  event name, e.g. {@code login_success}
     * @param fields alternating names and values
     */
    public void event(String event, Object... fields) {
        StringBuilder line = new StringBuilder("event=").append(event);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            line.append(' ').append(fields[i]).append('=').append(safe(fields[i + 1]));
        }
        boolean warning = event.contains("failure") || event.contains("reuse") || event.contains("refused");
        AUDIT.log(warning ? System.Logger.Level.WARNING : System.Logger.Level.INFO, line.toString());
    }

    /**
     * A short, stable pseudonym for an email (failed logins for accounts that may not exist).
     *
     * @param email normalized email
     * @return 12 hex characters
     */
    public static String account(String email) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(email.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String safe(Object value) {
        if (value == null) {
            return "-";
        }
        String text = UNSAFE.matcher(value.toString()).replaceAll("_");
        return text.length() > 100 ? text.substring(0, 100) : text;
    }
}
