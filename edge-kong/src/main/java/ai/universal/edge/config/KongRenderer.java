package ai.universal.edge.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;

/**
 * {@code render}: kong.yml (with {@code ${VAR:-default}} placeholders) → the file Kong loads. Substitutes the
 * environment, fills the jwt_secrets of the issuer consumer from svc-auth's JWKS (replacing what was there, so a
 * retired key disappears and a new one appears), validates the result and writes YAML.
 */
public final class KongRenderer {
    /** Username of the consumer that owns svc-auth's keys in kong.yml. */
    public static final String DEFAULT_ISSUER_CONSUMER = "svc-auth";

    private KongRenderer() {
    }

    /**
     * Render a config.
     *
     * @param text           kong.yml text
     * @param env            environment lookup
     * @param jwksJson       svc-auth's JWKS, or null to keep the file's jwt_secrets
     * @param issuerConsumer username of the consumer whose jwt_secrets come from the JWKS
     * @return rendered YAML
     * @throws ConfigException when the source or the result is invalid
     */
    @SuppressWarnings("unchecked")
    public static String render(String text, Function<String, String> env, String jwksJson, String issuerConsumer)
            throws ConfigException {
        String substituted = EnvSubstitution.apply(text, env);
        YamlDocument doc = YamlDocument.parse(substituted);
        DeclarativeValidator.validate(doc, substituted);
        Map<String, Object> root = (Map<String, Object>) doc.root();
        if (jwksJson != null) {
            List<Map<String, Object>> secrets;
            try {
                secrets = JwksSecrets.toJwtSecrets(jwksJson);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(List.of(new ConfigError("", 0, "JWKS: " + e.getMessage())));
            }
            Map<String, Object> consumer = findConsumer(root, issuerConsumer);
            if (consumer == null) {
                throw new ConfigException(List.of(new ConfigError("consumers", doc.lineOf("consumers"),
                        "no consumer with username '" + issuerConsumer + "' to hold svc-auth's jwt_secrets")));
            }
            consumer.put("jwt_secrets", new ArrayList<>(secrets));
        }
        String rendered = "# Rendered by `edge-kong render`; edit kong.yml instead.\n" + dump(root);
        DeclarativeValidator.validate(YamlDocument.parse(rendered), rendered);
        return rendered;
    }

    /**
     * Dump a document as block YAML, multi-line strings (PEM keys) as literal blocks.
     *
     * @param root document root
     * @return YAML
     */
    public static String dump(Object root) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setWidth(120);
        options.setSplitLines(false);
        return new Yaml(new LiteralStrings(options), options).dump(root);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> findConsumer(Map<String, Object> root, String username) {
        Object consumers = root.get("consumers");
        if (!(consumers instanceof List<?> list)) {
            return null;
        }
        for (Object c : list) {
            if (c instanceof Map<?, ?> m && username.equals(m.get("username"))) {
                Map<String, Object> consumer = (Map<String, Object>) m;
                if (!(consumer instanceof LinkedHashMap)) {
                    return null;
                }
                return consumer;
            }
        }
        return null;
    }

    private static final class LiteralStrings extends Representer {
        LiteralStrings(DumperOptions options) {
            super(options);
            Represent plain = this.representers.get(String.class);
            this.representers.put(String.class, data -> {
                String s = (String) data;
                if (s.contains("\n")) {
                    return representScalar(Tag.STR, s, DumperOptions.ScalarStyle.LITERAL);
                }
                Node node = plain.representData(data);
                return node;
            });
        }
    }
}
