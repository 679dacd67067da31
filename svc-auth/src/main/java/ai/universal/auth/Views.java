package ai.universal.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON shapes of accounts and keys, in one place so every endpoint answers them alike (no password hashes, no
 * key hashes, ever).
 */
final class Views {
    private Views() {
    }

    static Map<String, Object> user(Users.User user) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", user.id().toString());
        json.put("email", user.email());
        json.put("roles", user.roles());
        json.put("disabled", user.disabled());
        json.put("created_at", user.createdAt());
        return json;
    }

    static Map<String, Object> apiKey(ApiKeys.ApiKey key, java.time.Instant now) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", key.id().toString());
        json.put("prefix", key.prefix());
        json.put("name", key.name());
        json.put("scopes", key.scopes());
        json.put("created_at", key.createdAt());
        json.put("expires_at", key.expiresAt());
        json.put("expired", key.expiresAt() != null && !now.isBefore(key.expiresAt()));
        return json;
    }
}
