package ai.universal.vision;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code multipart/form-data} body (RFC 7578) already held in memory (the body limit bounds it), split into named
 * parts. Malformed bodies, duplicate names and too many parts are 400s.
 */
public final class MultipartForm {
    /** Most parts accepted. */
    public static final int MAX_PARTS = 16;

    /**
     * One part.
     *
     * @param name        form field name
     * @param filename    file name, or null
     * @param contentType its Content-Type, or null
     * @param data        bytes
     */
    public record Part(String name, String filename, String contentType, byte[] data) {
        /**
         * The bytes as UTF-8 text.
         *
         * @return text
         */
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final Map<String, Part> parts;

    private MultipartForm(Map<String, Part> parts) {
        this.parts = parts;
    }

    /**
     * A part by name.
     *
     * @param name name
     * @return part or null
     */
    public Part part(String name) {
        return parts.get(name);
    }

    /**
     * Every part by name.
     *
     * @return parts
     */
    public Map<String, Part> parts() {
        return parts;
    }

    /**
     * Parse.
     *
     * @param contentType the request's Content-Type with its boundary
     * @param body        the body
     * @return form
     */
    public static MultipartForm parse(String contentType, byte[] body) {
        String boundary = boundary(contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw malformed("the boundary '" + boundary + "' does not occur in the body");
        }
        Map<String, Part> parts = new LinkedHashMap<>();
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        pos += delimiter.length;
        while (true) {
            if (pos + 2 <= body.length && body[pos] == '-' && body[pos + 1] == '-') {
                break;
            }
            if (pos + 2 > body.length || body[pos] != '\r' || body[pos + 1] != '\n') {
                throw malformed("a boundary line does not end with CRLF");
            }
            pos += 2;
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), pos);
            if (headersEnd < 0) {
                throw malformed("a part's headers do not end");
            }
            String headers = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            int dataEnd = indexOf(body, next, dataStart);
            if (dataEnd < 0) {
                throw malformed("the closing boundary is missing");
            }
            Part part = part(headers, java.util.Arrays.copyOfRange(body, dataStart, dataEnd));
            if (parts.containsKey(part.name())) {
                throw VisionException.invalid(part.name(), "The multipart field '" + part.name() + "' appears twice");
            }
            parts.put(part.name(), part);
            if (parts.size() > MAX_PARTS) {
                throw malformed("more than " + MAX_PARTS + " parts");
            }
            pos = dataEnd + next.length;
        }
        return new MultipartForm(parts);
    }

    private static Part part(String headers, byte[] data) {
        String name = null;
        String filename = null;
        String type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (key.equals("content-disposition")) {
                name = parameter(value, "name");
                filename = parameter(value, "filename");
            } else if (key.equals("content-type")) {
                type = value;
            }
        }
        if (name == null || name.isEmpty()) {
            throw malformed("a part has no Content-Disposition name");
        }
        return new Part(name, filename, type, data);
    }

    private static String parameter(String header, String key) {
        for (String piece : header.split(";")) {
            String p = piece.trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(key)) {
                String v = p.substring(eq + 1).trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    private static String boundary(String contentType) {
        String b = parameter(contentType, "boundary");
        if (b == null || b.isEmpty() || b.length() > 70) {
            throw malformed("the Content-Type has no valid boundary parameter");
        }
        return b;
    }

    private static VisionException malformed(String why) {
        return VisionException.badRequest("malformed_multipart", "The multipart/form-data body is malformed: " + why);
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
