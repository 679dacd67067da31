package ai.universal.edge.config;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The types a field of Kong's declarative schema can have, with the constraints we check
 * (one_of, ranges, element types, nested records).
 */
public sealed interface FieldType {

    /**
     * A string, optionally restricted to a set of values, or checked by a custom rule.
     *
     * @param oneOf allowed values, empty for any
     * @param check extra rule: returns an error message or null
     */
    record Str(Set<String> oneOf, Function<String, String> check) implements FieldType {
    }

    /**
     * A whole number in [min, max].
     *
     * @param min lowest allowed
     * @param max highest allowed
     */
    record Int(long min, long max) implements FieldType {
    }

    /**
     * A number; {@code gt} is an exclusive lower bound, {@code min}/{@code max} inclusive ones.
     *
     * @param gt  exclusive lower bound (null for none)
     * @param min inclusive lower bound (null for none)
     * @param max inclusive upper bound (null for none)
     */
    record Num(Double gt, Double min, Double max) implements FieldType {
    }

    /**
     * A boolean.
     */
    record Bool() implements FieldType {
    }

    /**
     * An array (Kong: array or set) of one element type.
     *
     * @param element element type
     * @param set     whether duplicates are removed (Kong "set")
     */
    record Array(FieldType element, boolean set) implements FieldType {
    }

    /**
     * A map from string to one value type.
     *
     * @param value value type
     */
    record MapOf(FieldType value) implements FieldType {
    }

    /**
     * A nested record of named fields.
     *
     * @param fields fields
     */
    record Rec(List<Field> fields) implements FieldType {
    }

    /**
     * Any string.
     *
     * @return type
     */
    static Str str() {
        return new Str(Set.of(), null);
    }

    /**
     * One of the given strings.
     *
     * @param values allowed values
     * @return type
     */
    static Str oneOf(String... values) {
        return new Str(Set.of(values), null);
    }

    /**
     * A string checked by a rule.
     *
     * @param check rule returning an error message or null
     * @return type
     */
    static Str str(Function<String, String> check) {
        return new Str(Set.of(), check);
    }
}
