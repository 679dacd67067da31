package ai.universal.kit.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import ai.universal.kit.auth.CredentialsUnavailableException;
import ai.universal.kit.auth.InvalidCredentialsException;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one error handler: every exception a handler throws, every route that does not exist and every request the
 * HTTP layer refuses before routing (bad request line, oversized body) becomes an error body in the style of the API
 * the path belongs to (problem+json by default, OpenAI's or Qdrant's shape where a service says so). Client mistakes
 * are 4xx; anything unexpected is a 500 whose body carries only the request id — the stack trace goes to the log.
 */
public final class ErrorMapping {
    private static final System.Logger LOGGER = System.getLogger(ErrorMapping.class.getName());
    private static final String METRICS = "/metrics";
    static final String REALM = "Bearer realm=\"universal-ai-tools\"";

    private final Map<String, ErrorStyle> styles;
    private final RouteTable routes;

    /**
     * Create.
     *
     * @param styles error style per path prefix (longest prefix wins); paths with none use problem+json
     * @param routes the routes of the service, to tell 405 from 404
     */
    public ErrorMapping(Map<String, ErrorStyle> styles, RouteTable routes) {
        this.styles = new LinkedHashMap<>(styles);
        this.routes = routes;
    }

    /**
     * Register the error handler on a routing.
     *
     * @param routing routing builder
     */
    public void install(HttpRouting.Builder routing) {
        routing.error(Exception.class, this::handle);
    }

    /**
     * The last route: a request that matched nothing.
     *
     * @return handler answering 405 or 404
     */
    public Handler fallback() {
        return (req, res) -> {
            String path = req.path().rawPath();
            if (path.equals(METRICS) || path.startsWith(METRICS + "/")) {
                // served by the observe feature, whose routes are added after the service's
                res.next();
                return;
            }
            Set<String> allowed = routes.allowedMethods(path);
            if (allowed.isEmpty()) {
                throw ProblemException.notFound("No route for " + req.prologue().method().text() + " " + path);
            }
            throw new ProblemException(Problem.of(405, "method_not_allowed", "Method Not Allowed",
                                                  req.prologue().method().text() + " is not allowed on " + path
                                                          + "; use " + String.join(", ", allowed)))
                    .withHeader("Allow", String.join(", ", allowed));
        };
    }

    /**
     * Map any exception to the problem the client should see, with the headers that go with it.
     *
     * @param e exception
     * @return problem exception
     */
    public static ProblemException classify(Throwable e) {
        if (e instanceof ProblemException pe) {
            return pe;
        }
        if (e instanceof InvalidCredentialsException ice) {
            return ProblemException.unauthorized(ice.getMessage())
                    .withHeader("WWW-Authenticate", REALM + ", error=\"invalid_token\", error_description=\""
                            + ice.getMessage().replace('"', '\'') + "\"");
        }
        if (e instanceof CredentialsUnavailableException cue) {
            return ProblemException.of(503, "auth_unavailable", "Service Unavailable", cue.getMessage())
                    .withHeader("Retry-After", "5");
        }
        if (e instanceof HttpException he && he.status().code() < 500) {
            return ProblemException.of(he.status().code(), codeOf(he.status()), he.status().reasonPhrase(),
                                       he.getMessage());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProblemException pe) {
                return pe;
            }
            if (t instanceof JsonProcessingException jpe) {
                return ProblemException.badRequest("Request body is not valid JSON: " + jpe.getOriginalMessage());
            }
            if (dependencyDown(t)) {
                return ProblemException.of(503, "dependency_unavailable", "Service Unavailable",
                                           "A backing store is unreachable right now; retry shortly")
                        .withHeader("Retry-After", "5");
            }
        }
        return null;
    }

    /**
     * PostgreSQL or Redis unreachable: not the client's fault and not a bug, so 503 rather than 500. Connection
     * failures are SQLState class 08 (or Hikari's timeout waiting for a connection) and Jedis's connection exception.
     */
    private static boolean dependencyDown(Throwable t) {
        if (t instanceof java.sql.SQLTransientConnectionException) {
            return true;
        }
        if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
            return true;
        }
        return t.getClass().getName().equals("redis.clients.jedis.exceptions.JedisConnectionException");
    }

    private static String codeOf(Status status) {
        return status.reasonPhrase().toLowerCase().replaceAll("[^a-z0-9]+", "_");
    }

    /**
     * Write a problem (or an unexpected exception, classified) as the response.
     *
     * @param req request
     * @param res response
     * @param pe  the problem, or null for an unexpected failure
     */
    public void write(ServerRequest req, ServerResponse res, ProblemException pe) {
        String requestId = RequestContext.of(req).requestId();
        Problem problem;
        if (pe == null) {
            problem = Problem.of(500, "internal_error", "Internal Server Error",
                                 "An unexpected error occurred; quote request id " + requestId + " when reporting it");
        } else {
            problem = pe.problem();
            pe.headers().forEach(res::header);
        }
        if (res.isSent()) {
            return;
        }
        ErrorStyle style = styleFor(req.path().rawPath());
        res.status(Status.create(problem.status()));
        res.header(HeaderNames.CONTENT_TYPE, style.contentType());
        res.send(Json.bytes(style.body(problem.withRequestId(requestId))));
    }

    private void handle(ServerRequest req, ServerResponse res, Exception e) {
        ProblemException pe = classify(e);
        if (pe == null) {
            LOGGER.log(System.Logger.Level.ERROR, "Unexpected failure of " + req.prologue().method().text() + " "
                    + req.path().rawPath(), e);
        } else if (pe.problem().status() >= 500) {
            LOGGER.log(System.Logger.Level.WARNING, pe.problem().detail());
        }
        write(req, res, pe);
    }

    ErrorStyle styleFor(String path) {
        ErrorStyle best = ErrorStyle.PROBLEM;
        int bestLength = -1;
        for (Map.Entry<String, ErrorStyle> entry : styles.entrySet()) {
            if (path.startsWith(entry.getKey()) && entry.getKey().length() > bestLength) {
                best = entry.getValue();
                bestLength = entry.getKey().length();
            }
        }
        return best;
    }

    /**
     * Handlers for what the HTTP layer refuses before any route runs (malformed request line or headers, oversized
     * body): the same body shapes as everything else.
     *
     * @return direct handlers
     */
    public DirectHandlers directHandlers() {
        DirectHandler handler = (request, eventType, status, headers, message) -> {
            ErrorStyle style = styleFor(request.path() == null ? "/" : request.path());
            // Helidon reports an oversized body as a BAD_REQUEST event with status 413: go by the status
            String detail = status.code() == 413
                    ? BodyLimit.DETAIL
                    : eventType == DirectHandler.EventType.BAD_REQUEST
                            ? "Malformed request: " + (message == null ? status.reasonPhrase() : message)
                            : status.reasonPhrase();
            Problem problem = Problem.of(status.code(), codeOf(status), status.reasonPhrase(), detail);
            return DirectHandler.TransportResponse.builder()
                    .status(status)
                    .headers(headers)
                    .header(HeaderNames.CONTENT_TYPE, style.contentType())
                    .entity(Json.bytes(style.body(problem)))
                    .build();
        };
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }
}
