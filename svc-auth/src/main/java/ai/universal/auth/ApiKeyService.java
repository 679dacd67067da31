package ai.universal.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.universal.kit.auth.Principal;
import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.ProblemException;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * API keys (scope {@code auth:keys}, which {@code *} grants) and their introspection:
 * <pre>
 * POST   /v1/auth/api-keys        {"name"?, "scopes"?, "expires_in"? seconds | "expires_at"? ISO-8601}
 *                                 → 201 {id, key, prefix, name, scopes, created_at, expires_at} (key shown once)
 * GET    /v1/auth/api-keys        → 200 {api_keys:[{id, prefix, name, scopes, created_at, expires_at, expired}]}
 * DELETE /v1/auth/api-keys/{id}   → 204
 * POST   /internal/v1/auth/api-keys/introspect   {"key"}  (service to service; the key is the credential)
 *                                 → 200 {active:true, sub, roles, scopes, key_id, expires_at} | {active:false}
 * </pre>
 */
final class ApiKeyService implements HttpService {
    private static final Duration LONGEST_EXPIRY = Duration.ofDays(3650);

    private final Accounts accounts;
    private final ApiKeys apiKeys;
    private final Access access;
    private final AuthAudit audit;
    private final Clock clock;

    record NewKey(String name, List<String> scopes, @JsonProperty("expires_in") Long expiresIn,
                  @JsonProperty("expires_at") String expiresAt) {
    }

    record IntrospectRequest(String key) {
    }

    ApiKeyService(Accounts accounts, ApiKeys apiKeys, Access access, AuthAudit audit, Clock clock) {
        this.accounts = accounts;
        this.apiKeys = apiKeys;
        this.access = access;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/auth/api-keys", access.scope("auth:keys", AuthProblems.mapped(this::create)))
                .get("/v1/auth/api-keys", access.scope("auth:keys", AuthProblems.mapped(this::list)))
                .delete("/v1/auth/api-keys/{id}", access.scope("auth:keys", AuthProblems.mapped(this::delete)))
                .post("/internal/v1/auth/api-keys/introspect", AuthProblems.mapped(this::introspect));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal caller = access.principal(req);
        Users.User user = accounts.activeUser(caller.subject());
        NewKey body = req.content().hasEntity() ? Json.read(req, NewKey.class) : new NewKey(null, null, null, null);
        String name = body.name() == null ? null : body.name().strip();
        if (name != null && (name.isEmpty() || name.length() > 100)) {
            throw AuthFailure.invalid("name", "name must be 1 to 100 characters");
        }
        List<String> scopes = ApiKeys.scopesFor(body.scopes(), caller);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        ApiKeys.Created created = apiKeys.create(user.id(), name, scopes, expiry(body, now), now);
        audit.event("api_key_created", "user", user.id(), "key", created.key().id(), "scopes", String.join(",", scopes));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", created.key().id().toString());
        json.put("key", created.secret());
        json.putAll(Views.apiKey(created.key(), clock.instant()));
        json.remove("expired");
        res.status(Status.CREATED_201).header(HeaderNames.CACHE_CONTROL, "no-store").send(json);
    }

    private static Instant expiry(NewKey body, Instant now) {
        if (body.expiresIn() != null && body.expiresAt() != null) {
            throw AuthFailure.invalid("expires_in", "send expires_in or expires_at, not both");
        }
        if (body.expiresIn() != null) {
            if (body.expiresIn() <= 0 || body.expiresIn() > LONGEST_EXPIRY.toSeconds()) {
                throw AuthFailure.invalid("expires_in", "expires_in must be between 1 and " + LONGEST_EXPIRY.toSeconds()
                        + " seconds");
            }
            return now.plusSeconds(body.expiresIn());
        }
        if (body.expiresAt() != null) {
            Instant at;
            try {
                at = Instant.parse(body.expiresAt());
            } catch (DateTimeParseException e) {
                throw AuthFailure.invalid("expires_at", "expires_at must be an ISO-8601 instant such as 2030-01-31T12:00:00Z");
            }
            if (!at.isAfter(now) || at.isAfter(now.plus(LONGEST_EXPIRY))) {
                throw AuthFailure.invalid("expires_at", "expires_at must be in the future and within ten years");
            }
            return at;
        }
        return null;
    }

    private void list(ServerRequest req, ServerResponse res) {
        Users.User user = accounts.activeUser(access.principal(req).subject());
        Instant now = clock.instant();
        res.send(Map.of("api_keys", apiKeys.list(user.id()).stream().map(k -> Views.apiKey(k, now)).toList()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Users.User user = accounts.activeUser(access.principal(req).subject());
        String raw = req.path().pathParameters().get("id");
        UUID id;
        try {
            id = UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("No API key " + raw);
        }
        apiKeys.revoke(user.id(), id);
        audit.event("api_key_deleted", "user", user.id(), "key", id);
        res.status(Status.NO_CONTENT_204).send();
    }

    private void introspect(ServerRequest req, ServerResponse res) {
        IntrospectRequest body = Json.read(req, IntrospectRequest.class);
        if (body.key() == null || body.key().isBlank()) {
            throw AuthFailure.invalid("key", "key is required");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        apiKeys.grant(body.key().trim()).ifPresentOrElse(grant -> {
            answer.put("active", true);
            answer.put("sub", grant.userId().toString());
            answer.put("roles", grant.roles());
            answer.put("scopes", grant.scopes());
            answer.put("key_id", grant.keyId().toString());
            answer.put("expires_at", grant.expiresAt());
        }, () -> answer.put("active", false));
        res.header(HeaderNames.CACHE_CONTROL, "no-store").send(answer);
    }
}
