package ai.universal.kit.auth;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who is calling, once their credentials are verified.
 *
 * @param subject      the user id (token {@code sub})
 * @param roles        roles, e.g. {@code user}, {@code admin}
 * @param scopes       granted scopes; {@code *} grants every scope
 * @param kind         how the caller proved who they are
 * @param credentialId the token's {@code jti} or the API key's id
 * @param expiresAt    when the credential stops being valid (null when it does not expire)
 */
public record Principal(String subject, Set<String> roles, Set<String> scopes, Kind kind, String credentialId,
                        Instant expiresAt) {

    /** How the caller authenticated. */
    public enum Kind {
        /** A JWT access token issued by svc-auth. */
        ACCESS_TOKEN,
        /** A platform API key sent directly. */
        API_KEY
    }

    /**
     * Canonical constructor: copies the sets.
     */
    public Principal {
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
    }

    /**
     * Whether the principal holds a role.
     *
     * @param role role
     * @return true if held
     */
    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /**
     * Whether a scope is granted: exactly, through {@code *}, or through its resource prefix ({@code vectors} grants
     * {@code vectors:read}).
     *
     * @param scope scope such as {@code vectors:write}
     * @return true if granted
     */
    public boolean hasScope(String scope) {
        if (scopes.contains("*") || scopes.contains(scope)) {
            return true;
        }
        int colon = scope.indexOf(':');
        return colon > 0 && scopes.contains(scope.substring(0, colon));
    }

    /**
     * Scopes as a sorted list, for JSON answers.
     *
     * @return sorted scopes
     */
    public List<String> scopeList() {
        return scopes.stream().sorted().toList();
    }
}
