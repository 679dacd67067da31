package ai.universal.edge.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated Kong declarative config (format 3.0): its entities, flattened and with defaults, and the document it
 * was read from.
 *
 * @param formatVersion {@code _format_version}
 * @param services      services
 * @param routes        routes
 * @param consumers     consumers
 * @param jwtSecrets    jwt credentials
 * @param plugins       plugins
 * @param document      the parsed document (after environment substitution)
 * @param text          the text it was parsed from
 * @param edgeGaps      settings that are valid for Kong but that the local edge does not implement
 */
public record KongConfig(String formatVersion,
                         List<Entities.Service> services,
                         List<Entities.Route> routes,
                         List<Entities.Consumer> consumers,
                         List<Entities.JwtSecret> jwtSecrets,
                         List<Entities.Plugin> plugins,
                         YamlDocument document,
                         String text,
                         List<ConfigError> edgeGaps) {

    /**
     * Service by id.
     *
     * @param id id
     * @return service
     */
    public Optional<Entities.Service> service(String id) {
        return services.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /**
     * Consumer by id.
     *
     * @param id id
     * @return consumer
     */
    public Optional<Entities.Consumer> consumer(String id) {
        return consumers.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /**
     * Consumer by id or username (how jwt's {@code anonymous} refers to one).
     *
     * @param ref id or username
     * @return consumer
     */
    public Optional<Entities.Consumer> consumerByRef(String ref) {
        return consumers.stream().filter(c -> c.id().equals(ref) || ref.equals(c.username())).findFirst();
    }

    /**
     * The root map of the document.
     *
     * @return root map
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> root() {
        return (Map<String, Object>) document.root();
    }
}
