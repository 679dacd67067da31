package ai.universal.kit.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * svc-auth's JWKS fetched over HTTP and cached. The set is refreshed when it is older than {@code ttl}, and once
 * more when a token names an unknown {@code kid} — but never more often than {@code minRefreshInterval}, so a flood of
 * tokens with made-up key ids cannot turn into a flood of requests to svc-auth.
 */
public final class RemoteJwks implements JwksSource {
    private static final System.Logger LOGGER = System.getLogger(RemoteJwks.class.getName());

    private final URI uri;
    private final Duration ttl;
    private final Duration minRefreshInterval;
    private final Clock clock;
    private final HttpClient http;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile JWKSet keys = new JWKSet();
    private volatile Instant fetchedAt = Instant.EPOCH;
    private volatile Instant lastAttempt = Instant.EPOCH;

    /**
     * Create a source.
     *
     * @param uri                JWKS URL
     * @param ttl                how long a fetched set is used before it is fetched again
     * @param minRefreshInterval least time between two fetches
     * @param clock              clock
     */
    public RemoteJwks(URI uri, Duration ttl, Duration minRefreshInterval, Clock clock) {
        this.uri = uri;
        this.ttl = ttl;
        this.minRefreshInterval = minRefreshInterval;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @Override
    public Optional<JWK> key(String kid) {
        Instant now = clock.instant();
        if (now.isAfter(fetchedAt.plus(ttl))) {
            refresh(now);
        }
        JWK key = keys.getKeyByKeyId(kid);
        if (key == null) {
            refresh(now);
            key = keys.getKeyByKeyId(kid);
        }
        return Optional.ofNullable(key);
    }

    private void refresh(Instant now) {
        lock.lock();
        try {
            if (now.isBefore(lastAttempt.plus(minRefreshInterval))) {
                return;
            }
            lastAttempt = now;
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOGGER.log(System.Logger.Level.WARNING, "JWKS fetch from " + uri + " answered " + response.statusCode());
                return;
            }
            keys = JWKSet.parse(response.body());
            fetchedAt = now;
        } catch (IOException | ParseException e) {
            LOGGER.log(System.Logger.Level.WARNING, "JWKS fetch from " + uri + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
