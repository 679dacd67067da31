package ai.universal.edge.local;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.universal.edge.config.Entities;

/**
 * Kong's router (traditional_compatible flavor) for http routes: each (route, path) pair gets Kong's priority — more
 * matching fields first, then plain hosts over wildcards, then regex paths (by {@code regex_priority}) over prefix
 * paths, then longer prefixes — and the first pair whose methods, hosts and path all match wins.
 * Regex paths ({@code ~/...}) are anchored at the start of the path, as in Kong 3.
 *
 * @param entries candidates, best first
 */
public record Router(List<Entry> entries) {
    private static final long PLAIN_HOST_ONLY_BIT = 1L << 60;
    private static final long REGEX_URL_BIT = 1L << 51;

    /**
     * One (route, path) pair.
     *
     * @param target   what the route leads to
     * @param prefix   prefix path, or null for regex / no path
     * @param regex    compiled regex path, or null
     * @param priority Kong's priority
     * @param order    position in the file, breaks ties
     */
    public record Entry(RouteTarget target, String prefix, Pattern regex, long priority, int order) {
    }

    /**
     * A match.
     *
     * @param target        route target
     * @param matchedLength length of the matched path prefix (for strip_path)
     */
    public record Match(RouteTarget target, int matchedLength) {
    }

    /**
     * Build a router.
     *
     * @param targets routes with their services and plugins, in file order
     * @return router
     */
    public static Router create(List<RouteTarget> targets) {
        List<Entry> entries = new ArrayList<>();
        int order = 0;
        for (RouteTarget target : targets) {
            Entities.Route route = target.route();
            List<String> paths = route.paths().isEmpty() ? java.util.Collections.singletonList(null) : route.paths();
            for (String path : paths) {
                boolean regex = path != null && path.startsWith("~");
                int weight = 0;
                if (!route.methods().isEmpty()) {
                    weight++;
                }
                if (!route.hosts().isEmpty()) {
                    weight++;
                }
                if (path != null) {
                    weight++;
                }
                boolean plainHostOnly = !route.hosts().isEmpty() && route.hosts().stream().noneMatch(h -> h.contains("*"));
                long priority = ((long) weight << 61)
                        | (plainHostOnly ? PLAIN_HOST_ONLY_BIT : 0)
                        | (regex ? REGEX_URL_BIT : 0)
                        | (regex ? ((long) Math.max(0, Math.min(route.regexPriority(), 0xFFFF)) << 19) : 0)
                        | (path != null && !regex ? (path.length() & 0x7FFFF) : 0);
                entries.add(new Entry(target, regex ? null : path, regex ? Pattern.compile(path.substring(1)) : null,
                                      priority, order++));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::priority).reversed().thenComparingInt(Entry::order));
        return new Router(List.copyOf(entries));
    }

    /**
     * Find the route for a request.
     *
     * @param method method
     * @param host   host without port, may be null
     * @param path   raw path
     * @return match or null (Kong answers 404)
     */
    public Match match(String method, String host, String path) {
        String lowerHost = host == null ? null : host.toLowerCase(Locale.ROOT);
        for (Entry e : entries) {
            Entities.Route route = e.target().route();
            if (!route.methods().isEmpty() && !route.methods().contains(method)) {
                continue;
            }
            if (!route.hosts().isEmpty() && (lowerHost == null || route.hosts().stream().noneMatch(h -> hostMatches(h,
                                                                                                        lowerHost)))) {
                continue;
            }
            if (e.prefix() != null) {
                if (path.startsWith(e.prefix())) {
                    return new Match(e.target(), e.prefix().length());
                }
            } else if (e.regex() != null) {
                Matcher m = e.regex().matcher(path);
                if (m.lookingAt()) {
                    return new Match(e.target(), m.end());
                }
            } else {
                return new Match(e.target(), 0);
            }
        }
        return null;
    }

    private static boolean hostMatches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        int colon = p.indexOf(':');
        if (colon >= 0) {
            p = p.substring(0, colon);
        }
        if (p.startsWith("*.")) {
            return host.endsWith(p.substring(1)) && host.length() > p.length() - 1;
        }
        if (p.endsWith(".*")) {
            return host.startsWith(p.substring(0, p.length() - 1)) && host.length() > p.length() - 1;
        }
        return p.equals(host);
    }

    /**
     * The path sent upstream, as Kong's {@code path_handling: v0} builds it from the service path and the request path
     * (with the matched prefix removed when {@code strip_path}).
     *
     * @param match       the match
     * @param requestPath raw request path
     * @return upstream path
     */
    public static String upstreamPath(Match match, String requestPath) {
        String rest = requestPath;
        if (match.target().route().stripPath() && match.matchedLength() > 0) {
            rest = requestPath.substring(match.matchedLength());
            if (!rest.startsWith("/")) {
                rest = "/" + rest;
            }
        }
        Entities.Service service = match.target().service();
        String base = service == null || service.basePath() == null ? "/" : service.basePath();
        if (base.equals("/")) {
            return rest;
        }
        if (rest.equals("/")) {
            return base;
        }
        if (base.endsWith("/")) {
            return base + rest.substring(1);
        }
        return base + rest;
    }
}
