package ai.universal.edge.config;

import java.util.List;
import java.util.Map;

/**
 * The entities of a validated declarative config, flattened (nested routes/plugins/credentials lifted to the top
 * with their references resolved to ids) and with Kong's defaults filled in. Each carries the path it came from.
 */
public final class Entities {
    private Entities() {
    }

    /**
     * A Kong service: where requests go.
     *
     * @param at             path in the file
     * @param id             id (given or derived from the name)
     * @param name           name, may be null
     * @param protocol       http or https (others are validated but refused by the edge)
     * @param host           upstream host
     * @param port           upstream port
     * @param basePath       path prefix on the upstream, may be null
     * @param retries        retries on connection failure
     * @param connectTimeout ms
     * @param writeTimeout   ms
     * @param readTimeout    ms
     * @param enabled        whether routes of this service are served
     */
    public record Service(String at, String id, String name, String protocol, String host, int port, String basePath,
                          int retries, int connectTimeout, int writeTimeout, int readTimeout, boolean enabled) {
    }

    /**
     * A Kong route: which requests match, and to which service they go.
     *
     * @param at            path in the file
     * @param id            id
     * @param name          name, may be null
     * @param serviceId     id of the service, may be null (then only plugins can answer)
     * @param protocols     protocols
     * @param methods       methods, empty for any
     * @param hosts         hosts, empty for any
     * @param paths         paths, empty for any
     * @param regexPriority priority among regex paths
     * @param stripPath     strip the matched prefix
     * @param preserveHost  send the client's Host upstream
     * @param fields        all normalized fields (for the edge's support check and for diff)
     */
    public record Route(String at, String id, String name, String serviceId, List<String> protocols, List<String> methods,
                        List<String> hosts, List<String> paths, int regexPriority, boolean stripPath,
                        boolean preserveHost, Map<String, Object> fields) {
    }

    /**
     * A consumer.
     *
     * @param at       path in the file
     * @param id       id
     * @param username username, may be null
     * @param customId custom id, may be null
     */
    public record Consumer(String at, String id, String username, String customId) {
    }

    /**
     * A jwt credential of a consumer.
     *
     * @param at           path in the file
     * @param id           id
     * @param key          the value of the key claim (our {@code kid})
     * @param algorithm    JWS algorithm
     * @param rsaPublicKey PEM public key for RS/ES/PS/EdDSA
     * @param secret       HMAC secret for HS*
     * @param consumerId   owning consumer's id
     */
    public record JwtSecret(String at, String id, String key, String algorithm, String rsaPublicKey, String secret,
                            String consumerId) {
    }

    /**
     * A plugin instance and its scope.
     *
     * @param at         path in the file
     * @param id         id
     * @param name       plugin name
     * @param enabled    enabled
     * @param serviceId  scope: service id or null
     * @param routeId    scope: route id or null
     * @param consumerId scope: consumer id or null
     * @param protocols  protocols the plugin runs on
     * @param config     normalized config with defaults
     * @param fields     all normalized plugin fields
     */
    public record Plugin(String at, String id, String name, boolean enabled, String serviceId, String routeId,
                         String consumerId, List<String> protocols, Map<String, Object> config,
                         Map<String, Object> fields) {
    }
}
