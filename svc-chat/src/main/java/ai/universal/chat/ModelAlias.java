package ai.universal.chat;

import java.util.List;

/**
 * A model name clients ask for, and where it is served.
 *
 * @param name                   alias, as listed by /v1/models
 * @param strategy               how deployments are ordered
 * @param deployments            deployments
 * @param fallbacks              aliases to try when every deployment failed
 * @param contextWindowFallbacks aliases to try when the prompt does not fit
 * @param ownedBy                shown as owned_by in /v1/models
 */
record ModelAlias(String name, RoutingStrategy strategy, List<Deployment> deployments, List<String> fallbacks,
                  List<String> contextWindowFallbacks, String ownedBy) {
    ModelAlias {
        deployments = List.copyOf(deployments);
        fallbacks = List.copyOf(fallbacks);
        contextWindowFallbacks = List.copyOf(contextWindowFallbacks);
    }
}
