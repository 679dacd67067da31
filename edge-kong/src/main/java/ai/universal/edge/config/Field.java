package ai.universal.edge.config;

/**
 * One field of a Kong schema.
 *
 * @param name         field name as Kong spells it
 * @param type         type and constraints
 * @param defaultValue Kong's default (null when Kong has none)
 * @param required     whether Kong requires it
 * @param edge         what the local edge does with it
 */
public record Field(String name, FieldType type, Object defaultValue, boolean required, EdgeSupport edge) {

    /**
     * How far the local edge implements a field. Anything else than {@link #FULL} makes the edge refuse a config that
     * sets the field to something other than its default (or, for {@link #ONLY_VALUES}, other than the listed values).
     */
    public enum EdgeSupport {
        /** Implemented as Kong does. */
        FULL,
        /** Only Kong's default value is implemented. */
        DEFAULT_ONLY,
        /** Accepted and has no effect on one machine (e.g. TLS verification options of plain-http upstreams). */
        NO_EFFECT
    }

    /**
     * An optional field, implemented by the edge.
     *
     * @param name name
     * @param type type
     * @param def  default or null
     * @return field
     */
    public static Field of(String name, FieldType type, Object def) {
        return new Field(name, type, def, false, EdgeSupport.FULL);
    }

    /**
     * A required field, implemented by the edge.
     *
     * @param name name
     * @param type type
     * @return field
     */
    public static Field required(String name, FieldType type) {
        return new Field(name, type, null, true, EdgeSupport.FULL);
    }

    /**
     * A field Kong knows that the local edge implements only at its default value.
     *
     * @param name name
     * @param type type
     * @param def  Kong's default
     * @return field
     */
    public static Field defaultOnly(String name, FieldType type, Object def) {
        return new Field(name, type, def, false, EdgeSupport.DEFAULT_ONLY);
    }

    /**
     * A field with no effect in the local edge.
     *
     * @param name name
     * @param type type
     * @param def  default
     * @return field
     */
    public static Field noEffect(String name, FieldType type, Object def) {
        return new Field(name, type, def, false, EdgeSupport.NO_EFFECT);
    }
}
