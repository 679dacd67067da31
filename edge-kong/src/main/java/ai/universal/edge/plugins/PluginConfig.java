package ai.universal.edge.plugins;

import java.util.List;
import java.util.Map;

/**
 * Typed reads of a normalized plugin config (defaults already filled by the validator).
 *
 * @param map config
 */
public record PluginConfig(Map<String, Object> map) {

    /**
     * String value.
     *
     * @param key key
     * @return value or null
     */
    public String str(String key) {
        Object v = map.get(key);
        return v == null ? null : String.valueOf(v);
    }

    /**
     * Boolean value.
     *
     * @param key key
     * @return value, false when absent
     */
    public boolean bool(String key) {
        return Boolean.TRUE.equals(map.get(key));
    }

    /**
     * Number value.
     *
     * @param key key
     * @return value or null
     */
    public Double num(String key) {
        Object v = map.get(key);
        return v instanceof Number n ? n.doubleValue() : null;
    }

    /**
     * String list.
     *
     * @param key key
     * @return list, empty when absent
     */
    @SuppressWarnings("unchecked")
    public List<String> list(String key) {
        Object v = map.get(key);
        return v == null ? List.of() : (List<String>) v;
    }

    /**
     * Nested record.
     *
     * @param key key
     * @return nested config, empty when absent
     */
    @SuppressWarnings("unchecked")
    public PluginConfig rec(String key) {
        Object v = map.get(key);
        return new PluginConfig(v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of());
    }
}
