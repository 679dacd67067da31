package ai.universal.vector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Turns a payload filter (Qdrant's JSON shape, used by both APIs) into a Lucene query that matches without scoring.
 * <pre>
 * filter    = {"must": cond | [cond], "should": cond | [cond], "must_not": cond | [cond],
 *              "min_should": {"conditions": [cond], "min_count": n}}
 * cond      = filter
 *           | {"key": k, "match": {"value": v}}          keyword, integer, number or boolean equals
 *           | {"key": k, "match": {"any": [v, ...]}}     any of
 *           | {"key": k, "match": {"except": [v, ...]}}  has a value and it is none of
 *           | {"key": k, "match": {"text": "words"}}     every word in the collection's text field
 *           | {"key": k, "range": {"gt"|"gte"|"lt"|"lte": number | date-time}}
 *           | {"is_empty": {"key": k}}  | {"is_null": {"key": k}} | {"exists": {"key": k}}
 *           | {"has_id": [id, ...]}
 * </pre>
 * Semantics: every {@code must} holds, at least one {@code should} holds (when any are given), no {@code must_not} holds.
 */
final class FilterParser {

    private static final int MAX_CONDITIONS = 1024;
    private static final int MAX_DEPTH = 32;

    private final String textField;
    private final Analyzer analyzer;
    private int conditions;

    private FilterParser(String textField, Analyzer analyzer) {
        this.textField = textField;
        this.analyzer = analyzer;
    }

    /**
     * Parses a filter.
     *
     * @param filter    JSON filter, or null / JSON null for none
     * @param textField the collection's text field, or null
     * @param analyzer  analyzer of the text field
     * @return query, or null when there is no filter
     */
    static Query parse(JsonNode filter, String textField, Analyzer analyzer) {
        if (filter == null || filter.isNull() || filter.isMissingNode()) {
            return null;
        }
        return new FilterParser(textField, analyzer).filter(filter, "filter", 0);
    }

    private Query filter(JsonNode f, String path, int depth) {
        if (!f.isObject()) {
            throw VectorException.badRequest(path + " must be an object with must / should / must_not, got " + f);
        }
        if (depth > MAX_DEPTH) {
            throw VectorException.badRequest(path + " is nested deeper than " + MAX_DEPTH + " levels");
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        boolean positive = false;
        Iterator<String> names = f.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            JsonNode value = f.get(name);
            if (value.isNull()) {
                continue;
            }
            switch (name) {
                case "must" -> {
                    for (Query q : conditions(value, path + ".must", depth)) {
                        b.add(q, BooleanClause.Occur.FILTER);
                        positive = true;
                    }
                }
                case "should" -> {
                    List<Query> qs = conditions(value, path + ".should", depth);
                    if (!qs.isEmpty()) {
                        b.add(atLeast(qs, 1), BooleanClause.Occur.FILTER);
                        positive = true;
                    }
                }
                case "must_not" -> {
                    for (Query q : conditions(value, path + ".must_not", depth)) {
                        b.add(q, BooleanClause.Occur.MUST_NOT);
                    }
                }
                case "min_should" -> {
                    String p = path + ".min_should";
                    JsonNode count = value.get("min_count");
                    if (count == null || !count.isIntegralNumber() || count.intValue() < 0) {
                        throw VectorException.badRequest(p + ".min_count must be a non-negative integer");
                    }
                    List<Query> qs = conditions(value.path("conditions"), p + ".conditions", depth);
                    if (count.intValue() > qs.size()) {
                        b.add(new MatchNoDocsQuery(), BooleanClause.Occur.FILTER);
                    } else if (count.intValue() > 0) {
                        b.add(atLeast(qs, count.intValue()), BooleanClause.Occur.FILTER);
                    }
                    positive = true;
                }
                default -> throw VectorException.badRequest(path + " has unknown field '" + name
                        + "'; a filter has must, should, must_not, min_should");
            }
        }
        if (!positive) {
            b.add(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER);
        }
        return b.build();
    }

    private static Query atLeast(List<Query> qs, int n) {
        BooleanQuery.Builder any = new BooleanQuery.Builder();
        for (Query q : qs) {
            any.add(q, BooleanClause.Occur.SHOULD);
        }
        any.setMinimumNumberShouldMatch(n);
        return any.build();
    }

    private List<Query> conditions(JsonNode value, String path, int depth) {
        List<Query> out = new ArrayList<>();
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                out.add(condition(value.get(i), path + "[" + i + "]", depth + 1));
            }
        } else if (value.isObject()) {
            out.add(condition(value, path, depth + 1));
        } else {
            throw VectorException.badRequest(path + " must be a condition or an array of conditions, got " + value);
        }
        return out;
    }

    private Query condition(JsonNode c, String path, int depth) {
        if (++conditions > MAX_CONDITIONS) {
            throw VectorException.tooLarge("filter has more than " + MAX_CONDITIONS + " conditions");
        }
        if (!c.isObject()) {
            throw VectorException.badRequest(path + " must be an object, got " + c);
        }
        if (c.has("must") || c.has("should") || c.has("must_not") || c.has("min_should")) {
            return filter(c, path, depth);
        }
        if (c.has("has_id")) {
            JsonNode ids = c.get("has_id");
            if (!ids.isArray()) {
                throw VectorException.badRequest(path + ".has_id must be an array of ids");
            }
            List<BytesRef> keys = new ArrayList<>();
            for (JsonNode id : ids) {
                keys.add(new BytesRef(PointId.fromJson(id).key()));
            }
            return new org.apache.lucene.search.TermInSetQuery(IndexFields.KEY, keys);
        }
        if (c.has("is_empty")) {
            return notQuery(new TermQuery(new Term(PayloadFields.HAS, key(c.get("is_empty"), path + ".is_empty"))));
        }
        if (c.has("exists")) {
            return new TermQuery(new Term(PayloadFields.HAS, key(c.get("exists"), path + ".exists")));
        }
        if (c.has("is_null")) {
            return new TermQuery(new Term(PayloadFields.NULL, key(c.get("is_null"), path + ".is_null")));
        }
        if (c.has("key")) {
            String key = key(c, path);
            if (c.has("match")) {
                return match(key, c.get("match"), path + ".match");
            }
            if (c.has("range")) {
                return range(key, c.get("range"), path + ".range");
            }
            if (c.has("geo_radius") || c.has("geo_bounding_box") || c.has("geo_polygon") || c.has("values_count")
                    || c.has("datetime_range")) {
                if (c.has("datetime_range")) {
                    return range(key, c.get("datetime_range"), path + ".datetime_range");
                }
                throw VectorException.badRequest(path + ": geo and values_count conditions are not supported");
            }
            throw VectorException.badRequest(path + " has a key but no match or range");
        }
        if (c.has("nested")) {
            throw VectorException.badRequest(path + ": nested conditions are not supported; use a dotted key");
        }
        throw VectorException.badRequest(path + " is not a condition: expected key+match, key+range, is_empty, is_null, "
                + "exists, has_id or a nested filter");
    }

    private static String key(JsonNode holder, String path) {
        JsonNode key = holder == null ? null : holder.get("key");
        if (key == null || !key.isTextual() || key.textValue().isBlank()) {
            throw VectorException.badRequest(path + ".key must be a non-empty string");
        }
        return PayloadFields.normalizeKey(key.textValue());
    }

    private Query match(String key, JsonNode m, String path) {
        if (m == null || !m.isObject()) {
            throw VectorException.badRequest(path + " must be an object with value, any, except or text");
        }
        if (m.has("value")) {
            return equalsQuery(key, m.get("value"), path + ".value");
        }
        if (m.has("any")) {
            return anyOf(key, m.get("any"), path + ".any");
        }
        if (m.has("except")) {
            BooleanQuery.Builder b = new BooleanQuery.Builder();
            b.add(new TermQuery(new Term(PayloadFields.HAS, key)), BooleanClause.Occur.FILTER);
            b.add(anyOf(key, m.get("except"), path + ".except"), BooleanClause.Occur.MUST_NOT);
            return b.build();
        }
        if (m.has("text")) {
            return text(key, m.get("text"), path + ".text");
        }
        throw VectorException.badRequest(path + " must have one of value, any, except, text");
    }

    private Query anyOf(String key, JsonNode values, String path) {
        if (values == null || !values.isArray()) {
            throw VectorException.badRequest(path + " must be an array");
        }
        if (values.isEmpty()) {
            return new MatchNoDocsQuery();
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (int i = 0; i < values.size(); i++) {
            b.add(equalsQuery(key, values.get(i), path + "[" + i + "]"), BooleanClause.Occur.SHOULD);
        }
        return b.build();
    }

    private static Query equalsQuery(String key, JsonNode v, String path) {
        if (v.isTextual()) {
            return new TermQuery(new Term(PayloadFields.KEYWORD + key, v.textValue()));
        }
        if (v.isBoolean()) {
            return new TermQuery(new Term(PayloadFields.BOOL + key, Boolean.toString(v.booleanValue())));
        }
        if (v.isNumber()) {
            return DoubleField.newExactQuery(PayloadFields.NUMBER + key, v.doubleValue());
        }
        throw VectorException.badRequest(path + " must be a string, number or boolean, got " + v);
    }

    private Query text(String key, JsonNode v, String path) {
        if (v == null || !v.isTextual()) {
            throw VectorException.badRequest(path + " must be a string");
        }
        if (textField == null || !textField.equals(key)) {
            throw VectorException.badRequest(path + ": text match needs key to be the collection's text_field"
                    + (textField == null ? " (this collection has none)" : " '" + textField + "'"));
        }
        List<String> terms = analyze(analyzer, v.textValue());
        if (terms.isEmpty()) {
            throw VectorException.badRequest(path + " has no searchable words");
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (String t : terms) {
            b.add(new TermQuery(new Term(IndexFields.TEXT, t)), BooleanClause.Occur.FILTER);
        }
        return b.build();
    }

    private static Query range(String key, JsonNode r, String path) {
        if (r == null || !r.isObject()) {
            throw VectorException.badRequest(path + " must be an object with gt, gte, lt or lte");
        }
        JsonNode gt = r.get("gt");
        JsonNode gte = r.get("gte");
        JsonNode lt = r.get("lt");
        JsonNode lte = r.get("lte");
        Iterator<String> names = r.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!n.equals("gt") && !n.equals("gte") && !n.equals("lt") && !n.equals("lte")) {
                throw VectorException.badRequest(path + " has unknown bound '" + n + "'; use gt, gte, lt, lte");
            }
        }
        List<JsonNode> bounds = new ArrayList<>();
        for (JsonNode b : new JsonNode[] {gt, gte, lt, lte}) {
            if (b != null && !b.isNull()) {
                bounds.add(b);
            }
        }
        if (bounds.isEmpty()) {
            throw VectorException.badRequest(path + " needs at least one of gt, gte, lt, lte");
        }
        boolean dates = bounds.getFirst().isTextual();
        for (JsonNode b : bounds) {
            if (dates ? !b.isTextual() : !b.isNumber()) {
                throw VectorException.badRequest(path + " bounds must be all numbers or all RFC 3339 date-times, got " + b);
            }
        }
        if (dates) {
            long lo = Long.MIN_VALUE;
            long hi = Long.MAX_VALUE;
            if (present(gt)) {
                lo = Math.max(lo, date(gt, path + ".gt") + 1);
            }
            if (present(gte)) {
                lo = Math.max(lo, date(gte, path + ".gte"));
            }
            if (present(lt)) {
                hi = Math.min(hi, date(lt, path + ".lt") - 1);
            }
            if (present(lte)) {
                hi = Math.min(hi, date(lte, path + ".lte"));
            }
            return LongField.newRangeQuery(PayloadFields.DATE + key, lo, hi);
        }
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        if (present(gt)) {
            lo = Math.max(lo, Math.nextUp(finite(gt, path + ".gt")));
        }
        if (present(gte)) {
            lo = Math.max(lo, finite(gte, path + ".gte"));
        }
        if (present(lt)) {
            hi = Math.min(hi, Math.nextDown(finite(lt, path + ".lt")));
        }
        if (present(lte)) {
            hi = Math.min(hi, finite(lte, path + ".lte"));
        }
        return DoubleField.newRangeQuery(PayloadFields.NUMBER + key, lo, hi);
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull();
    }

    private static double finite(JsonNode n, String path) {
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            throw VectorException.badRequest(path + " must be a finite number");
        }
        return d;
    }

    private static long date(JsonNode n, String path) {
        Long micros = PayloadFields.parseDateMicros(n.textValue());
        if (micros == null) {
            throw VectorException.badRequest(path + " is not an RFC 3339 date-time: '" + n.textValue() + "'");
        }
        return micros;
    }

    private static Query notQuery(Query q) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        b.add(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER);
        b.add(q, BooleanClause.Occur.MUST_NOT);
        return b.build();
    }

    /**
     * Splits text into the terms the text field indexes.
     *
     * @param analyzer analyzer
     * @param text     text
     * @return terms in order
     */
    static List<String> analyze(Analyzer analyzer, String text) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = analyzer.tokenStream(IndexFields.TEXT, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
