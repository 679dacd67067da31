package ai.universal.kit.http;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import io.helidon.common.uri.UriFragment;
import io.helidon.common.uri.UriPath;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * Remembers every route a service registers, so that a request matching no route can be answered 405 with an
 * {@code Allow} header when its path exists under another method, and 404 otherwise. Services register through
 * {@link #rules(HttpRules)}, which records and delegates.
 */
public final class RouteTable {
    private static final List<Method> METHODS = List.of(Method.GET, Method.POST, Method.PUT, Method.PATCH, Method.DELETE);

    private final List<Entry> routes = new CopyOnWriteArrayList<>();

    private record Entry(String prefix, HttpRoute route) {
    }

    /**
     * Rules that record every route added through them, then pass it on.
     *
     * @param delegate the real rules
     * @return recording rules
     */
    public HttpRules rules(HttpRules delegate) {
        return new Recorder(delegate, "");
    }

    /**
     * The methods under which a path is routed.
     *
     * @param path request path
     * @return allowed methods, empty when the path is unknown
     */
    public Set<String> allowedMethods(String path) {
        Set<String> allowed = new TreeSet<>();
        for (Entry entry : routes) {
            if (!path.startsWith(entry.prefix())) {
                continue;
            }
            String rest = path.substring(entry.prefix().length());
            UriPath uriPath = UriPath.create(rest.isEmpty() ? "/" : rest);
            for (Method method : METHODS) {
                HttpPrologue prologue = HttpPrologue.create("HTTP/1.1", "HTTP", "1.1", method, uriPath, UriQuery.empty(), UriFragment.empty());
                if (entry.route().accepts(prologue).accepted()) {
                    allowed.add(method.text());
                }
            }
        }
        return allowed;
    }

    private final class Recorder implements HttpRules {
        private final HttpRules delegate;
        private final String prefix;

        private Recorder(HttpRules delegate, String prefix) {
            this.delegate = delegate;
            this.prefix = prefix;
        }

        @Override
        public HttpRules register(HttpService... services) {
            delegate.register(wrap(prefix, services));
            return this;
        }

        @Override
        public HttpRules register(String path, HttpService... services) {
            delegate.register(path, wrap(prefix + path, services));
            return this;
        }

        @Override
        public HttpRules route(HttpRoute route) {
            routes.add(new Entry(prefix, route));
            delegate.route(route);
            return this;
        }

        private HttpService[] wrap(String servicePrefix, HttpService... services) {
            HttpService[] wrapped = new HttpService[services.length];
            for (int i = 0; i < services.length; i++) {
                HttpService service = services[i];
                wrapped[i] = new HttpService() {
                    @Override
                    public void routing(HttpRules rules) {
                        service.routing(new Recorder(rules, servicePrefix));
                    }

                    @Override
                    public void beforeStart() {
                        service.beforeStart();
                    }

                    @Override
                    public void afterStop() {
                        service.afterStop();
                    }
                };
            }
            return wrapped;
        }
    }
}
