package ai.universal.auth;

import java.util.LinkedHashMap;
import java.util.Map;

import ai.universal.kit.auth.ApiKeyResolver;
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
 * Accounts and tokens:
 * <pre>
 * POST /v1/auth/register               {"email","password"}           → 201 {id, email, roles, created_at}
 * POST /v1/auth/login                  {"email","password"}           → 200 {access_token, token_type, expires_in,
 *                                                                              refresh_token, refresh_expires_in}
 * POST /v1/auth/refresh                {"refresh_token"}              → 200 a new pair (the old token is spent)
 * POST /v1/auth/logout                 {"refresh_token"}              → 204 (its family is revoked)
 * GET  /v1/auth/me                     any token or API key           → 200 {id, email, roles, created_at, credential}
 * GET  /v1/auth/.well-known/jwks.json                                 → 200 {keys:[…]}
 * POST /v1/auth/token                  API key (body "api_key", Bearer or api-key header)
 *                                                                     → 200 {access_token, token_type, expires_in, scope}
 * </pre>
 */
final class AuthService implements HttpService {
    private final Accounts accounts;
    private final SigningKeys keys;
    private final Access access;
    private final boolean trustProxy;

    record Credentials(String email, String password) {
    }

    record RefreshRequest(@JsonProperty("refresh_token") String refreshToken) {
    }

    record TokenRequest(@JsonProperty("api_key") String apiKey) {
    }

    record TokenPair(@JsonProperty("access_token") String accessToken,
                     @JsonProperty("token_type") String tokenType,
                     @JsonProperty("expires_in") long expiresIn,
                     @JsonProperty("refresh_token") String refreshToken,
                     @JsonProperty("refresh_expires_in") long refreshExpiresIn) {
    }

    record ExchangedToken(@JsonProperty("access_token") String accessToken,
                          @JsonProperty("token_type") String tokenType,
                          @JsonProperty("expires_in") long expiresIn,
                          String scope) {
    }

    AuthService(Accounts accounts, SigningKeys keys, Access access, boolean trustProxy) {
        this.accounts = accounts;
        this.keys = keys;
        this.access = access;
        this.trustProxy = trustProxy;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/auth/register", AuthProblems.mapped(this::register))
                .post("/v1/auth/login", AuthProblems.mapped(this::login))
                .post("/v1/auth/refresh", AuthProblems.mapped(this::refresh))
                .post("/v1/auth/logout", AuthProblems.mapped(this::logout))
                .get("/v1/auth/me", access.authenticated(AuthProblems.mapped(this::me)))
                .get("/v1/auth/.well-known/jwks.json", this::jwks)
                .post("/v1/auth/token", AuthProblems.mapped(this::token));
    }

    private void register(ServerRequest req, ServerResponse res) {
        Credentials body = Json.read(req, Credentials.class);
        Users.User user = accounts.register(body.email(), body.password(), ClientAddress.of(req, trustProxy));
        res.status(Status.CREATED_201).send(Views.user(user));
    }

    private void login(ServerRequest req, ServerResponse res) {
        Credentials body = Json.read(req, Credentials.class);
        sendPair(res, accounts.login(body.email(), body.password(), ClientAddress.of(req, trustProxy)));
    }

    private void refresh(ServerRequest req, ServerResponse res) {
        RefreshRequest body = Json.read(req, RefreshRequest.class);
        sendPair(res, accounts.refresh(body.refreshToken(), ClientAddress.of(req, trustProxy)));
    }

    private void logout(ServerRequest req, ServerResponse res) {
        RefreshRequest body = Json.read(req, RefreshRequest.class);
        accounts.logout(body.refreshToken(), ClientAddress.of(req, trustProxy));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void me(ServerRequest req, ServerResponse res) {
        Principal principal = access.principal(req);
        Users.User user = accounts.activeUser(principal.subject());
        Map<String, Object> body = new LinkedHashMap<>(Views.user(user));
        Map<String, Object> credential = new LinkedHashMap<>();
        credential.put("kind", principal.kind() == Principal.Kind.API_KEY ? "api_key" : "access_token");
        credential.put("id", principal.credentialId());
        credential.put("scopes", principal.scopeList());
        credential.put("expires_at", principal.expiresAt());
        body.put("credential", credential);
        res.send(body);
    }

    private void jwks(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json")
                .header(HeaderNames.CACHE_CONTROL, "public, max-age=300")
                .send(keys.jwks().toString(true));
    }

    private void token(ServerRequest req, ServerResponse res) {
        String key = null;
        if (req.content().hasEntity()) {
            key = Json.read(req, TokenRequest.class).apiKey();
        }
        if (key == null) {
            key = headerKey(req);
        }
        if (key == null || key.isBlank()) {
            throw ProblemException.unauthorized("Send an API key as {\"api_key\":\"uat_…\"}, 'Authorization: Bearer uat_…' "
                                                        + "or 'api-key: uat_…'")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"universal-ai-tools\"");
        }
        if (!key.startsWith(ApiKeyResolver.PREFIX)) {
            throw ProblemException.invalid("api_key", "api_key must be a platform API key (uat_…)");
        }
        Accounts.Exchanged exchanged = accounts.exchange(key.trim(), ClientAddress.of(req, trustProxy));
        res.header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(new ExchangedToken(exchanged.access().token(), "Bearer", exchanged.access().expiresIn(),
                                         String.join(" ", exchanged.scopes())));
    }

    private static String headerKey(ServerRequest req) {
        String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (authorization != null) {
            String[] parts = authorization.trim().split("\\s+", 2);
            if (parts.length == 2 && parts[0].equalsIgnoreCase("Bearer")) {
                return parts[1];
            }
            return null;
        }
        return req.headers().first(HeaderNames.create("api-key")).orElse(null);
    }

    private void sendPair(ServerResponse res, Accounts.Session session) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(new TokenPair(session.access().token(), "Bearer", session.access().expiresIn(),
                                    session.refresh().token(),
                                    session.refresh().expiresIn()));
    }
}
