package ai.universal.kit.auth;

import java.util.Optional;

import com.nimbusds.jose.jwk.JWK;

/**
 * Where verification keys come from: svc-auth's JWKS over HTTP for every other service, the key store itself inside
 * svc-auth.
 */
public interface JwksSource {

    /**
     * The key with this id, refreshing the set once (within the source's rate limit) when the id is unknown.
     *
     * @param kid key id from the token header
     * @return the key, empty when unknown even after a refresh
     */
    Optional<JWK> key(String kid);
}
