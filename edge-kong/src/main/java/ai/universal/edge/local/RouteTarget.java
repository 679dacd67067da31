package ai.universal.edge.local;

import java.util.List;

import ai.universal.edge.config.Entities;
import ai.universal.edge.plugins.EdgePlugin;

/**
 * A route, its service (null when the route has none) and the plugins that run for it, in Kong's priority order.
 *
 * @param route   route
 * @param service service or null
 * @param plugins plugins, highest priority first
 */
public record RouteTarget(Entities.Route route, Entities.Service service, List<EdgePlugin> plugins) {
}
