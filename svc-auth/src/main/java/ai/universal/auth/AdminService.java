package ai.universal.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import ai.universal.kit.http.Access;
import ai.universal.kit.http.ProblemException;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Administration (role {@code admin} and scope {@code auth:admin}, which {@code *} grants; the role is re-read from
 * the database, so a demoted or disabled admin's still-valid token no longer works here):
 * <pre>
 * GET  /v1/auth/users?limit=50&amp;offset=0   → 200 {users:[{id, email, roles, disabled, created_at}], total, limit, offset}
 * POST /v1/auth/users/{id}/disable          → 200 the user (its refresh tokens are revoked, its API keys stop working)
 * POST /v1/auth/users/{id}/enable           → 200 the user
 * POST /v1/auth/keys/rotate                 → 200 {kid, previous_kid, previous_verifies_until}
 * </pre>
 */
final class AdminService implements HttpService {
    private final Accounts accounts;
    private final Users users;
    private final SigningKeys keys;
    private final Access access;
    private final AuthAudit audit;

    AdminService(Accounts accounts, Users users, SigningKeys keys, Access access, AuthAudit audit) {
        this.accounts = accounts;
        this.users = users;
        this.keys = keys;
        this.access = access;
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/auth/users", admin(this::list))
                .post("/v1/auth/users/{id}/disable", admin((req, res) -> setDisabled(req, res, true)))
                .post("/v1/auth/users/{id}/enable", admin((req, res) -> setDisabled(req, res, false)))
                .post("/v1/auth/keys/rotate", admin(this::rotate));
    }

    private Handler admin(Handler handler) {
        return access.role(Users.ADMIN, access.scope("auth:admin", AuthProblems.mapped((req, res) -> {
            Users.User admin = accounts.activeUser(access.principal(req).subject());
            if (!admin.roles().contains(Users.ADMIN)) {
                throw ProblemException.forbidden("This call needs the role 'admin'");
            }
            handler.handle(req, res);
        })));
    }

    private void list(ServerRequest req, ServerResponse res) {
        int limit = intParam(req, "limit", 50, 1, 200);
        int offset = intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        Users.Page page = users.list(limit, offset);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("users", page.users().stream().map(Views::user).toList());
        body.put("total", page.total());
        body.put("limit", limit);
        body.put("offset", offset);
        res.send(body);
    }

    private void setDisabled(ServerRequest req, ServerResponse res, boolean disabled) {
        String raw = req.path().pathParameters().get("id");
        UUID id;
        try {
            id = UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("No user " + raw);
        }
        res.send(Views.user(accounts.setDisabled(access.principal(req).subject(), id, disabled)));
    }

    private void rotate(ServerRequest req, ServerResponse res) {
        SigningKeys.Rotation rotation = keys.rotate();
        audit.event("key_rotation", "by", access.principal(req).subject(), "kid", rotation.kid(), "previous",
                    rotation.previousKid(), "previous_verifies_until", rotation.previousVerifiesUntil());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kid", rotation.kid());
        body.put("previous_kid", rotation.previousKid());
        body.put("previous_verifies_until", rotation.previousVerifiesUntil());
        res.send(body);
    }

    private static int intParam(ServerRequest req, String name, int defaultValue, int min, int max) {
        String raw = req.query().first(name).orElse(null);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                throw ProblemException.badRequest("Query parameter '" + name + "' must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("Query parameter '" + name + "' must be an integer");
        }
    }
}
