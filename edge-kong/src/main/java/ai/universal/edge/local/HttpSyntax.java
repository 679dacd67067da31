package ai.universal.edge.local;

import java.util.List;

/**
 * The HTTP syntax checks the proxy port makes itself (RFC 9110/9112, RFC 3986 for Host). Helidon's own Host and
 * response-header validation are off on that port: they cost about 5% of a proxied request (a regular expression per
 * Host, a check per response header through several layers), and the edge checks the same things with plain loops —
 * Host once per request, header values where they enter (a service's response, a plugin or the configuration).
 */
final class HttpSyntax {
    private HttpSyntax() {
    }

    /**
     * What is wrong with a request's Host header, as Helidon's check would say it.
     *
     * @param http11 whether the request is HTTP/1.1 (where Host is required)
     * @param hosts  all Host header values of the request
     * @return a problem, or null when the Host header is fine
     */
    static String hostProblem(boolean http11, List<String> hosts) {
        if (hosts.isEmpty()) {
            return http11 ? "Host header must be present in the request" : null;
        }
        if (hosts.size() > 1) {
            return "Only a single Host header is allowed in request";
        }
        String host = hosts.getFirst();
        if (host.isEmpty()) {
            return "Host header must not be empty";
        }
        return validHost(host) ? null : "Invalid Host header";
    }

    /**
     * RFC 3986 {@code host [ ":" port ]}: an IP literal in brackets or a reg-name (an IPv4 address is one), then
     * at most five port digits.
     */
    static boolean validHost(String host) {
        int i = 0;
        int n = host.length();
        if (n == 0) {
            return false;
        }
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (!(isUnreserved(c) || isSubDelim(c) || c == ':')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < n && host.charAt(i) != ':') {
                char c = host.charAt(i);
                if (c == '%') {
                    if (i + 2 >= n || !isHex(host.charAt(i + 1)) || !isHex(host.charAt(i + 2))) {
                        return false;
                    }
                    i += 3;
                    continue;
                }
                if (!(isUnreserved(c) || isSubDelim(c))) {
                    return false;
                }
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        if (i == n) {
            return true;
        }
        if (host.charAt(i) != ':' || n - i - 1 > 5) {
            return false;
        }
        for (i++; i < n; i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 9110 {@code token}: what a header name may be.
     *
     * @param name name
     * @return whether it is a token
     */
    static boolean isToken(String name) {
        int n = name.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!isTokenChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 9110 {@code tchar}.
     *
     * @param c character
     * @return whether it may be part of a token
     */
    static boolean isTokenChar(char c) {
        return c <= 0x7e && c > 0x20 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /**
     * RFC 9110 {@code field-value}: visible characters, spaces and tabs, obs-text; never CR, LF or another control
     * character (which would split or end the header block).
     *
     * @param value value
     * @return whether it may be sent as a header value
     */
    static boolean isFieldValue(String value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    /**
     * A header value from a header line: what follows the colon, without the optional spaces and tabs around it.
     *
     * @param line  header line
     * @param start index after the colon
     * @return value
     */
    static String trimOws(String line, int start) {
        int end = line.length();
        while (start < end && (line.charAt(start) == ' ' || line.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(start, end);
    }

    static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    static boolean isSubDelim(char c) {
        return "!$&'()*+,;=".indexOf(c) >= 0;
    }

    static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
