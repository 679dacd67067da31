package ai.universal.kit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.universal.kit.auth.Principal;
import ai.universal.kit.http.Access;
import ai.universal.kit.http.ErrorStyle;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.ProblemException;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;

/**
 * A small service used to test the kit end to end: a notes table in PostgreSQL, a counter in Redis, guarded routes,
 * an OpenAI-style path, and a route that calls back into itself through {@link ServiceClient}.
 */
final class NotesApp implements ServiceApp {

    record NewNote(String text, Integer priority) {
    }

    @Override
    public String name() {
        return "svc-notes";
    }

    @Override
    public String key() {
        return "kit_test";
    }

    @Override
    public int defaultPort() {
        return 0;
    }

    @Override
    public boolean usesDatabase() {
        return true;
    }

    @Override
    public boolean usesRedis() {
        return true;
    }

    @Override
    public Map<String, ErrorStyle> errorStyles() {
        return Map.of("/v1/compat", ErrorStyle.OPENAI);
    }

    @Override
    public long maxPayloadBytes() {
        return 4096;
    }

    @Override
    public void setUp(ServiceContext ctx, HttpRules rules) {
        Access access = ctx.access();
        ServiceClient self = ctx.client("NOTES_SELF_URL", "http://127.0.0.1:1");
        rules.post("/v1/notes", access.authenticated((req, res) -> {
                    Principal who = access.principal(req);
                    NewNote note = Json.read(req, NewNote.class);
                    if (note.text() == null || note.text().isBlank()) {
                        throw ProblemException.invalid("text", "text is required");
                    }
                    long id = insert(ctx, who.subject(), note.text());
                    ctx.redis().client().incr(ctx.redis().key("notes"));
                    res.status(201).send(Map.of("id", id, "owner", who.subject(), "text", note.text()));
                }))
                .get("/v1/notes/{id}", access.authenticated((req, res) -> {
                    long id = Long.parseLong(req.path().pathParameters().get("id"));
                    res.send(find(ctx, access.principal(req).subject(), id));
                }))
                .get("/v1/notes-admin", access.role("admin", (req, res) -> res.send(Map.of("ok", true))))
                .get("/v1/notes-scoped", access.scope("notes:read", (req, res) -> res.send(Map.of("ok", true))))
                .get("/v1/whoami", access.authenticated((req, res) -> {
                    Principal p = access.principal(req);
                    res.send(Map.of("sub", p.subject(), "kind", p.kind().name(), "scopes", p.scopeList()));
                }))
                .get("/v1/boom", (req, res) -> {
                    throw new IllegalStateException("secret internal detail");
                })
                .post("/v1/compat/echo", (req, res) -> {
                    Json.read(req, NewNote.class);
                    res.send(Map.of("ok", true));
                })
                .get("/v1/trace", (req, res) -> {
                    Map<String, String> seen = new LinkedHashMap<>();
                    seen.put("traceparent", req.headers().first(io.helidon.http.HeaderNames.create("traceparent")).orElse(""));
                    seen.put("request_id", req.headers().first(io.helidon.http.HeaderNames.create("X-Request-Id")).orElse(""));
                    seen.put("authorization", req.headers().first(io.helidon.http.HeaderNames.AUTHORIZATION).orElse(""));
                    res.send(seen);
                })
                .get("/v1/relay", (req, res) -> {
                    ServiceClient.Response answer = self.send(Method.GET, "/v1/trace", null);
                    res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json").send(answer.body());
                });
    }

    private static long insert(ServiceContext ctx, String owner, String text) {
        try (Connection c = ctx.database().dataSource().getConnection();
                PreparedStatement st = c.prepareStatement("INSERT INTO notes(owner, text) VALUES (?, ?) RETURNING id")) {
            st.setString(1, owner);
            st.setString(2, text);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> find(ServiceContext ctx, String owner, long id) {
        try (Connection c = ctx.database().dataSource().getConnection();
                PreparedStatement st = c.prepareStatement("SELECT text FROM notes WHERE id = ? AND owner = ?")) {
            st.setLong(1, id);
            st.setString(2, owner);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw ProblemException.notFound("No note " + id);
                }
                return Map.of("id", id, "text", rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
