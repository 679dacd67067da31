package ai.universal.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a new password must be (NIST SP 800-63B style: length and a deny-list, no composition rules):
 * <ul>
 *     <li>{@code too_short}: at least 12 characters — a passphrase of four or more words and 16 or more characters
 *     always meets it; {@code too_long}: at most 256 (hashing cost is bounded);</li>
 *     <li>{@code contains_email}: must not contain the part of the email before the {@code @} (3+ characters);</li>
 *     <li>{@code common}: not on the built-in list of common passwords ({@code common-passwords.txt}), also after
 *     stripping the digits and symbols people pad them with ({@code Password2024!}), nor one listed word repeated;</li>
 *     <li>{@code repetitive}: not one short pattern repeated ({@code abcabcabcabc}).</li>
 * </ul>
 */
public final class PasswordPolicy {
    /** Fewest characters. */
    public static final int MIN_LENGTH = 12;
    /** Most characters. */
    public static final int MAX_LENGTH = 256;

    private final Set<String> common;

    private PasswordPolicy(Set<String> common) {
        this.common = Set.copyOf(common);
    }

    /**
     * The policy with the built-in list.
     *
     * @return policy
     */
    public static PasswordPolicy builtIn() {
        Set<String> words = new HashSet<>();
        try (InputStream in = PasswordPolicy.class.getResourceAsStream("/common-passwords.txt")) {
            if (in == null) {
                throw new IllegalStateException("common-passwords.txt is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String word = line.strip().toLowerCase(Locale.ROOT);
                if (!word.isEmpty() && !word.startsWith("#")) {
                    words.add(word);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PasswordPolicy(words);
    }

    /**
     * How many entries the deny-list has.
     *
     * @return size
     */
    public int commonPasswordCount() {
        return common.size();
    }

    /**
     * Check a new password.
     *
     * @param password the password
     * @param email    the normalized email of the account
     * @throws AuthFailure INVALID_FIELD on {@code password} naming the broken rule
     */
    public void check(String password, String email) {
        if (password == null || password.isEmpty()) {
            throw AuthFailure.invalid("password", "required", "password is required");
        }
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            throw AuthFailure.invalid("password", "too_short", "password must be at least " + MIN_LENGTH
                    + " characters long (a passphrase of four or more words works well)");
        }
        if (length > MAX_LENGTH) {
            throw AuthFailure.invalid("password", "too_long", "password must be at most " + MAX_LENGTH + " characters long");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        String local = EmailAddress.localPart(email);
        if (local.length() >= 3 && lower.contains(local) || lower.contains(email)) {
            throw AuthFailure.invalid("password", "contains_email",
                                      "password must not contain the part of your email address before the @");
        }
        if (isCommon(lower)) {
            throw AuthFailure.invalid("password", "common", "password is on the list of commonly used passwords");
        }
        if (repeatedUnit(lower) != null) {
            throw AuthFailure.invalid("password", "repetitive", "password must not be one short pattern repeated");
        }
    }

    private boolean isCommon(String lower) {
        if (common.contains(lower) || common.contains(lower.replaceAll("\\s+", ""))) {
            return true;
        }
        String core = lower.replaceAll("^[\\d\\W_]+", "").replaceAll("[\\d\\W_]+$", "");
        if (!core.isEmpty() && common.contains(core)) {
            return true;
        }
        String unit = repeatedUnit(core);
        return unit != null && common.contains(unit);
    }

    /** The unit a string repeats (at least twice), or null. */
    private static String repeatedUnit(String s) {
        int n = s.length();
        for (int size = 1; size <= n / 2; size++) {
            if (n % size == 0 && s.substring(0, size).repeat(n / size).equals(s)) {
                return s.substring(0, size);
            }
        }
        return null;
    }
}
