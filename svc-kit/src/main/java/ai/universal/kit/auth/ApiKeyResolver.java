package ai.universal.kit.auth;

import java.util.Optional;

/**
 * Turns a platform API key ({@code uat_…}) into the principal it stands for. Inside svc-auth this is the key store;
 * everywhere else it is {@link ApiKeyIntrospection}, which asks svc-auth and caches the answer briefly.
 */
public interface ApiKeyResolver {
    /** The prefix every platform API key starts with. */
    String PREFIX = "uat_";

    /**
     * Resolve a key.
     *
     * @param key the full key as the client sent it
     * @return the principal, empty when the key is unknown, revoked, expired or its owner disabled
     */
    Optional<Principal> resolve(String key);
}
