package ai.universal.vector;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.StringField;

/**
 * Indexes a JSON payload so filters can match it. Keys are flattened with dots ({@code a.b}); array elements
 * are indexed under the array's key (so {@code tags} matches any element, and {@code a[].b} means {@code a.b}).
 * <ul>
 *     <li>strings: exact keyword {@code k.<key>}; strings that read as RFC 3339 date-times or dates also as
 *     epoch microseconds {@code d.<key>}</li>
 *     <li>numbers: {@code n.<key>} (double points and doc values)</li>
 *     <li>booleans: {@code b.<key>}</li>
 *     <li>every key with a non-null value: {@code _has}; keys holding null: {@code _null}</li>
 * </ul>
 */
final class PayloadFields {

    static final String KEYWORD = "k.";
    static final String NUMBER = "n.";
    static final String DATE = "d.";
    static final String BOOL = "b.";
    static final String HAS = "_has";
    static final String NULL = "_null";

    private static final int MAX_KEYWORD_BYTES = 8192;
    private static final int MAX_DEPTH = 16;

    private PayloadFields() {
    }

    /**
     * Adds the filterable fields of a payload to a document.
     *
     * @param payload JSON object
     * @param doc     document
     */
    static void index(JsonNode payload, Document doc) {
        Set<String> has = new LinkedHashSet<>();
        Set<String> nulls = new LinkedHashSet<>();
        Iterator<Map.Entry<String, JsonNode>> fields = payload.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            add(e.getKey(), e.getValue(), doc, has, nulls, 0);
        }
        for (String key : has) {
            doc.add(new StringField(HAS, key, Field.Store.NO));
        }
        for (String key : nulls) {
            doc.add(new StringField(NULL, key, Field.Store.NO));
        }
    }

    /**
     * Normalizes a filter key: {@code a[].b} and {@code a.b} name the same thing.
     *
     * @param key the caller's key
     * @return the indexed key
     */
    static String normalizeKey(String key) {
        if (key == null || key.isBlank()) {
            throw VectorException.badRequest("filter condition key must be a non-empty string");
        }
        return key.replace("[]", "");
    }

    /**
     * Reads a date-time the way Qdrant accepts them: RFC 3339 with offset, without offset (UTC), with a space
     * instead of T, or a plain date.
     *
     * @param s text
     * @return epoch microseconds, or null when the text is not a date
     */
    static Long parseDateMicros(String s) {
        if (s.length() < 10 || s.length() > 40 || !Character.isDigit(s.charAt(0))) {
            return null;
        }
        String t = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + 'T' + s.substring(11) : s;
        Instant instant;
        try {
            instant = OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                instant = LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                try {
                    instant = LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e3) {
                    return null;
                }
            }
        }
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static void add(String key, JsonNode v, Document doc, Set<String> has, Set<String> nulls, int depth) {
        if (depth > MAX_DEPTH) {
            throw VectorException.badRequest("payload is nested deeper than " + MAX_DEPTH + " levels at '" + key + "'");
        }
        if (v == null || v.isNull()) {
            nulls.add(key);
            return;
        }
        if (v.isArray()) {
            for (JsonNode element : v) {
                add(key, element, doc, has, nulls, depth + 1);
            }
            return;
        }
        has.add(key);
        if (v.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                add(key + "." + e.getKey(), e.getValue(), doc, has, nulls, depth + 1);
            }
        } else if (v.isTextual()) {
            String s = v.textValue();
            if (s.length() * 3 <= MAX_KEYWORD_BYTES) {
                doc.add(new StringField(KEYWORD + key, s, Field.Store.NO));
            }
            Long micros = parseDateMicros(s);
            if (micros != null) {
                doc.add(new LongField(DATE + key, micros, Field.Store.NO));
            }
        } else if (v.isNumber()) {
            doc.add(new DoubleField(NUMBER + key, v.doubleValue(), Field.Store.NO));
        } else if (v.isBoolean()) {
            doc.add(new StringField(BOOL + key, Boolean.toString(v.booleanValue()), Field.Store.NO));
        }
    }
}
