package ai.universal.kit.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Resolves API keys by asking svc-auth's internal introspection endpoint
 * ({@code POST /internal/v1/auth/api-keys/introspect}) and caching each answer — positive or negative — for a few
 * seconds, so a revoked key stops working within that bound while a busy client costs svc-auth one call per bound.
 * The cache is keyed by the key's SHA-256 and holds a bounded number of entries.
 */
public final class ApiKeyIntrospection implements ApiKeyResolver {
    private static final System.Logger LOGGER = System.getLogger(ApiKeyIntrospection.class.getName());
    private static final int MAX_ENTRIES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final Duration cacheFor;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Optional<Principal> principal, Instant until) {
    }

    /**
     * Create.
     *
     * @param authServiceUrl base URL of svc-auth, e.g. {@code http://127.0.0.1:8015}
     * @param cacheFor       how long an answer is reused
     * @param clock          clock
     */
    public ApiKeyIntrospection(String authServiceUrl, Duration cacheFor, Clock clock) {
        this.endpoint = URI.create(authServiceUrl.replaceAll("/+$", "") + "/internal/v1/auth/api-keys/introspect");
        this.cacheFor = cacheFor;
        this.clock = clock;
    }

    @Override
    public Optional<Principal> resolve(String key) {
        String id = sha256(key);
        Instant now = clock.instant();
        Cached cached = cache.get(id);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.principal();
        }
        Optional<Principal> principal = introspect(key);
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(id, new Cached(principal, now.plus(cacheFor)));
        return principal;
    }

    private Optional<Principal> introspect(String key) {
        try {
            String body = JSON.writeValueAsString(Map.of("key", key));
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(3))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new CredentialsUnavailableException("API key introspection answered " + response.statusCode());
            }
            return parse(JSON.readTree(response.body()));
        } catch (IOException e) {
            LOGGER.log(System.Logger.Level.WARNING, "API key introspection failed: " + e.getMessage());
            throw new CredentialsUnavailableException("API keys cannot be verified right now");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CredentialsUnavailableException("interrupted");
        }
    }

    /**
     * Map an introspection answer to a principal.
     *
     * @param answer the JSON answer
     * @return the principal when the key is active
     */
    public static Optional<Principal> parse(JsonNode answer) {
        if (!answer.path("active").asBoolean(false)) {
            return Optional.empty();
        }
        Set<String> roles = new HashSet<>();
        answer.path("roles").forEach(n -> roles.add(n.asText()));
        Set<String> scopes = new HashSet<>();
        answer.path("scopes").forEach(n -> scopes.add(n.asText()));
        Instant expires = answer.hasNonNull("expires_at") ? Instant.parse(answer.get("expires_at").asText()) : null;
        return Optional.of(new Principal(answer.path("sub").asText(), roles, scopes, Principal.Kind.API_KEY,
                                         answer.path("key_id").asText(), expires));
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
