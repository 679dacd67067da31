package ai.universal.edge.local;

import java.util.List;

import ai.universal.edge.config.Entities;
import ai.universal.edge.plugins.EdgePlugin;

/**
 * A route, its service (null when the route has none) and the plugins that run for it, in Kong's priority order.
 *
 * @param route        route
 * @param service      service or null
 * @param plugins      plugins, highest priority first
 * @param upstreamHost the Host header sent to the service unless the route preserves the client's: its host, and
 *                     its port unless the scheme's default; null without a service
 */
public record RouteTarget(Entities.Route route, Entities.Service service, List<EdgePlugin> plugins, String upstreamHost) {
    /**
     * A target whose upstream Host header is derived from the service.
     *
     * @param route   route
     * @param service service or null
     * @param plugins plugins, highest priority first
     */
    public RouteTarget(Entities.Route route, Entities.Service service, List<EdgePlugin> plugins) {
        this(route, service, plugins, service == null ? null : hostHeader(service));
    }

    private static String hostHeader(Entities.Service service) {
        boolean defaultPort = service.port() == 80 && "http".equals(service.protocol())
                || service.port() == 443 && "https".equals(service.protocol());
        return defaultPort ? service.host() : service.host() + ":" + service.port();
    }
}
