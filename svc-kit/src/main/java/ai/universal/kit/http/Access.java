package ai.universal.kit.http;

import ai.universal.kit.auth.Authenticator;
import ai.universal.kit.auth.Principal;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;

/**
 * What a route needs from its caller, declared where the route is registered:
 * <pre>
 * rules.post("/v1/auth/login", this::login)                           // public
 *      .get("/v1/auth/me", access.authenticated(this::me))            // any valid token or API key
 *      .post("/v1/vectors/x", access.scope("vectors:write", this::x))  // a granted scope
 *      .get("/v1/auth/users", access.role("admin", this::users));     // a role
 * </pre>
 * Credentials are verified only on routes that need them (public routes pay nothing). No credentials → 401 with
 * {@code WWW-Authenticate: Bearer realm=…}; bad ones → 401 with {@code error="invalid_token"}; valid but
 * insufficient → 403 with {@code error="insufficient_scope"}.
 */
public final class Access {
    private final Authenticator authenticator;

    /**
     * Create.
     *
     * @param authenticator authenticator
     */
    public Access(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /**
     * Any authenticated caller.
     *
     * @param handler handler
     * @return guarded handler
     */
    public Handler authenticated(Handler handler) {
        return (req, res) -> {
            principal(req);
            handler.handle(req, res);
        };
    }

    /**
     * A caller granted a scope.
     *
     * @param scope   scope
     * @param handler handler
     * @return guarded handler
     */
    public Handler scope(String scope, Handler handler) {
        return (req, res) -> {
            if (!principal(req).hasScope(scope)) {
                throw ProblemException.forbidden("This call needs the scope '" + scope + "'")
                        .withHeader("WWW-Authenticate", ErrorMapping.REALM + ", error=\"insufficient_scope\", scope=\""
                                + scope + "\"");
            }
            handler.handle(req, res);
        };
    }

    /**
     * A caller holding a role.
     *
     * @param role    role
     * @param handler handler
     * @return guarded handler
     */
    public Handler role(String role, Handler handler) {
        return (req, res) -> {
            if (!principal(req).hasRole(role)) {
                throw ProblemException.forbidden("This call needs the role '" + role + "'");
            }
            handler.handle(req, res);
        };
    }

    /**
     * The verified caller of this request, verifying the credentials on first use.
     *
     * @param req request
     * @return principal
     * @throws ProblemException 401 when there are no or bad credentials
     */
    public Principal principal(ServerRequest req) {
        RequestContext ctx = RequestContext.of(req);
        if (ctx.principal().isPresent()) {
            return ctx.principal().get();
        }
        Principal principal = authenticator.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null),
                                                         req.headers().first(API_KEY).orElse(null))
                .orElseThrow(() -> ProblemException.unauthorized("Send 'Authorization: Bearer <token or API key>'")
                        .withHeader("WWW-Authenticate", ErrorMapping.REALM));
        ctx.principal(principal);
        return principal;
    }

    private static final io.helidon.http.HeaderName API_KEY = HeaderNames.create("api-key");
}
