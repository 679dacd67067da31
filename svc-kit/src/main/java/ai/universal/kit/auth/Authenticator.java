package ai.universal.kit.auth;

import java.util.Optional;

/**
 * Turns what a caller sent into a principal: {@code Authorization: Bearer <JWT>}, {@code Authorization: Bearer uat_…}
 * (a platform API key, as OpenAI SDKs send it), or Qdrant's {@code api-key: uat_…} header.
 */
public final class Authenticator {
    private final JwtVerifier tokens;
    private final ApiKeyResolver apiKeys;

    /**
     * Create.
     *
     * @param tokens  JWT verifier
     * @param apiKeys API key resolver
     */
    public Authenticator(JwtVerifier tokens, ApiKeyResolver apiKeys) {
        this.tokens = tokens;
        this.apiKeys = apiKeys;
    }

    /**
     * Authenticate a request's credentials.
     *
     * @param authorization the Authorization header, may be null
     * @param apiKeyHeader  the api-key header, may be null
     * @return the principal, or empty when no credentials were sent at all
     * @throws InvalidCredentialsException when credentials were sent and are not valid
     */
    public Optional<Principal> authenticate(String authorization, String apiKeyHeader) {
        if (authorization != null && !authorization.isBlank()) {
            String[] parts = authorization.trim().split("\\s+", 2);
            if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
                throw new InvalidCredentialsException("Authorization must be 'Bearer <token>'");
            }
            return Optional.of(credential(parts[1]));
        }
        if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
            return Optional.of(credential(apiKeyHeader.trim()));
        }
        return Optional.empty();
    }

    private Principal credential(String value) {
        if (value.startsWith(ApiKeyResolver.PREFIX)) {
            return apiKeys.resolve(value).orElseThrow(() -> new InvalidCredentialsException("API key is not valid"));
        }
        return tokens.verify(value);
    }
}
