package ai.universal.kit.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * For tests of services other than svc-auth: serves svc-auth's two verification endpoints — the JWKS at
 * {@code /v1/auth/.well-known/jwks.json} and API-key introspection at
 * {@code POST /internal/v1/auth/api-keys/introspect} — in svc-auth's wire format, and signs tokens and makes keys that
 * those endpoints vouch for. A service under test then verifies credentials through its real remote path.
 */
public final class TestAuthServer implements AutoCloseable {
    /** The issuer svc-auth uses by default. */
    public static final String ISSUER = "universal-ai-tools";
    private static final Pattern KEY_FIELD = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpServer server;
    private final RSAKey signingKey;
    private final Map<String, String> apiKeys = new ConcurrentHashMap<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();

    private TestAuthServer(HttpServer server, RSAKey signingKey) {
        this.server = server;
        this.signingKey = signingKey;
    }

    /**
     * Start on a free loopback port.
     *
     * @return server
     */
    public static TestAuthServer start() {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyID("test-" + UUID.randomUUID()).algorithm(JWSAlgorithm.RS256).generate();
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            TestAuthServer auth = new TestAuthServer(server, key);
            server.createContext("/v1/auth/.well-known/jwks.json", auth::jwks);
            server.createContext("/internal/v1/auth/api-keys/introspect", auth::introspect);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return auth;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The settings that point a service at this server.
     *
     * @return AUTH_SERVICE_URL and JWKS_URL
     */
    public Map<String, String> environment() {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("AUTH_SERVICE_URL", base, "JWKS_URL", base + "/v1/auth/.well-known/jwks.json");
    }

    /**
     * A 15-minute access token.
     *
     * @param subject user id
     * @param roles   roles
     * @param scope   space-separated scopes ({@code *} for all)
     * @return compact JWS
     */
    public String token(String subject, List<String> roles, String scope) {
        Instant now = Instant.now();
        return sign(new JWTClaimsSet.Builder()
                            .issuer(ISSUER)
                            .subject(subject)
                            .issueTime(Date.from(now))
                            .expirationTime(Date.from(now.plusSeconds(900)))
                            .jwtID(UUID.randomUUID().toString())
                            .claim("roles", roles)
                            .claim("scope", scope)
                            .build());
    }

    /**
     * Sign arbitrary claims with the served key.
     *
     * @param claims claims
     * @return compact JWS
     */
    public String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A platform API key for a user, active until {@link #revoke(String)}.
     *
     * @param subject user id
     * @param scopes  scopes
     * @return the key ({@code uat_…})
     */
    public String apiKey(String subject, List<String> scopes) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String key = "uat_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String scopeJson = String.join(",", scopes.stream().map(s -> "\"" + s + "\"").toList());
        apiKeys.put(key, "{\"active\":true,\"sub\":\"" + subject + "\",\"roles\":[\"user\"],\"scopes\":[" + scopeJson
                + "],\"key_id\":\"" + UUID.randomUUID() + "\",\"expires_at\":null}");
        return key;
    }

    /**
     * Revoke a key.
     *
     * @param key key
     */
    public void revoke(String key) {
        apiKeys.remove(key);
    }

    /**
     * How many times the JWKS was fetched.
     *
     * @return count
     */
    public int jwksFetches() {
        return jwksFetches.get();
    }

    private void jwks(HttpExchange exchange) throws IOException {
        jwksFetches.incrementAndGet();
        answer(exchange, 200, new JWKSet(signingKey.toPublicJWK()).toString());
    }

    private void introspect(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = KEY_FIELD.matcher(body);
        String answer = m.find() ? apiKeys.getOrDefault(m.group(1), "{\"active\":false}") : "{\"active\":false}";
        answer(exchange, 200, answer);
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
