package ai.universal.edge.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A parsed YAML (or JSON) document as plain maps, lists and scalars, with the line of every value kept by path
 * ({@code services[0].routes[1].paths[0]}), so validation errors can point into the file.
 *
 * @param root  the document's root value (normally a map)
 * @param lines 1-based line of each path
 */
public record YamlDocument(Object root, Map<String, Integer> lines) {

    /**
     * Parse text. Duplicate keys and syntax errors are reported with their line.
     *
     * @param text YAML or JSON text
     * @return the document
     * @throws ConfigException on a syntax error
     */
    public static YamlDocument parse(String text) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(64 * 1024 * 1024);
        Node node;
        try {
            node = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(List.of(new ConfigError("", line, "failed parsing declarative configuration: "
                    + e.getProblem())));
        } catch (YAMLException e) {
            throw new ConfigException(List.of(new ConfigError("", 0, "failed parsing declarative configuration: "
                    + e.getMessage())));
        }
        Map<String, Integer> lines = new HashMap<>();
        if (node == null) {
            return new YamlDocument(null, lines);
        }
        List<ConfigError> errors = new ArrayList<>();
        Object root = convert(node, "", lines, errors);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new YamlDocument(root, lines);
    }

    /**
     * Line of a path, or of its closest parent that has one.
     *
     * @param path path
     * @return line, 0 when unknown
     */
    public int lineOf(String path) {
        String p = path;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            if (p.isEmpty()) {
                return 0;
            }
            int dot = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = dot < 0 ? "" : p.substring(0, dot);
        }
    }

    private static Object convert(Node node, String path, Map<String, Integer> lines, List<ConfigError> errors) {
        lines.put(path, node.getStartMark().getLine() + 1);
        if (node instanceof MappingNode mapping) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                    errors.add(new ConfigError(path, tuple.getKeyNode().getStartMark().getLine() + 1,
                                               "keys must be strings"));
                    continue;
                }
                String key = keyNode.getValue();
                String child = path.isEmpty() ? key : path + "." + key;
                map.put(key, convert(tuple.getValueNode(), child, lines, errors));
            }
            return map;
        }
        if (node instanceof SequenceNode sequence) {
            List<Object> list = new ArrayList<>();
            int i = 0;
            for (Node item : sequence.getValue()) {
                list.add(convert(item, path + "[" + i + "]", lines, errors));
                i++;
            }
            return list;
        }
        ScalarNode scalar = (ScalarNode) node;
        return scalarValue(scalar);
    }

    private static Object scalarValue(ScalarNode scalar) {
        String v = scalar.getValue();
        Tag tag = scalar.getTag();
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        if (Tag.BOOL.equals(tag)) {
            return Boolean.parseBoolean(v.toLowerCase());
        }
        if (Tag.INT.equals(tag)) {
            try {
                return Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                return v;
            }
        }
        if (Tag.FLOAT.equals(tag)) {
            try {
                return Double.parseDouble(v.replace("_", ""));
            } catch (NumberFormatException e) {
                return v;
            }
        }
        return v;
    }
}
