package ai.universal.edge.plugins;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import ai.universal.edge.config.Entities;
import ai.universal.edge.config.KongConfig;
import ai.universal.edge.config.PublicKeys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * jwt, as Kong's plugin: the token comes from {@code uri_param_names}, {@code cookie_names} or {@code header_names}
 * ({@code Bearer}); the jwt_secret is found by {@code key_claim_name} in the claims, then in the header; the header's
 * {@code alg} must equal the secret's algorithm; the signature is verified (HS/RS/PS/ES/EdDSA); {@code claims_to_verify}
 * (exp, nbf) and {@code maximum_expiration} are checked. Failures answer 401 with Kong's bodies ("Unauthorized",
 * "Bad token; invalid JSON", "Invalid algorithm", "Invalid signature", {@code {"exp":"token expired"}}, ...) — unless
 * {@code anonymous} is set, in which case the request goes on as that consumer. Upstream gets X-Consumer-ID,
 * X-Consumer-Custom-ID, X-Consumer-Username, X-Credential-Identifier (or X-Anonymous-Consumer: true).
 */
public final class JwtPlugin implements EdgePlugin {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BEARER = Pattern.compile("\\s*[Bb]earer\\s+(.+)");
    private static final Set<String> ALGORITHMS = Set.of("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256",
                                                         "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA");

    private final List<String> uriParams;
    private final List<String> cookieNames;
    private final List<String> headerNames;
    private final String keyClaim;
    private final List<String> claimsToVerify;
    private final double maximumExpiration;
    private final boolean runOnPreflight;
    private final Entities.Consumer anonymous;
    private final String wwwAuthenticate;
    private final String wwwAuthenticateError;
    private final Map<String, Credential> credentials = new HashMap<>();
    // tokens whose signature already verified, with their parsed header and claims: the base64/JSON parse and the
    // RSA/EC work are done once per token; every check on the parsed values (alg, key, claims, exp) runs every time
    private final Map<String, Parsed> verifiedTokens = new java.util.concurrent.ConcurrentHashMap<>();

    private record Parsed(JsonNode header, JsonNode claims) {
    }

    private record Credential(Entities.JwtSecret secret, Entities.Consumer consumer, PublicKey publicKey) {
    }

    private record Failure(String message, String errorsJson, boolean withError) {
    }

    /**
     * Create from config.
     *
     * @param config normalized config
     * @param kong   the whole config (jwt_secrets, consumers)
     */
    public JwtPlugin(PluginConfig config, KongConfig kong) {
        this.uriParams = config.list("uri_param_names");
        this.cookieNames = config.list("cookie_names");
        this.headerNames = config.list("header_names");
        this.keyClaim = config.str("key_claim_name");
        this.claimsToVerify = config.list("claims_to_verify");
        this.maximumExpiration = config.num("maximum_expiration") == null ? 0 : config.num("maximum_expiration");
        this.runOnPreflight = config.bool("run_on_preflight");
        String anon = config.str("anonymous");
        this.anonymous = anon == null ? null : kong.consumerByRef(anon).orElseThrow();
        String realm = config.str("realm");
        this.wwwAuthenticate = realm == null ? "Bearer" : "Bearer realm=\"" + realm + "\"";
        this.wwwAuthenticateError = wwwAuthenticate + (realm == null ? " " : ", ") + "error=\"invalid_token\"";
        for (Entities.JwtSecret secret : kong.jwtSecrets()) {
            Entities.Consumer consumer = kong.consumer(secret.consumerId()).orElse(null);
            PublicKey key = secret.algorithm().startsWith("HS") ? null
                    : PublicKeys.parse(secret.rsaPublicKey(), secret.algorithm());
            credentials.put(secret.key(), new Credential(secret, consumer, key));
        }
    }

    @Override
    public String name() {
        return "jwt";
    }

    @Override
    public int priority() {
        return 1450;
    }

    @Override
    public Optional<EdgeResponse> access(Exchange exchange) {
        if (!runOnPreflight && "OPTIONS".equals(exchange.method())) {
            return Optional.empty();
        }
        Failure failure = authenticate(exchange);
        if (failure == null) {
            return Optional.empty();
        }
        if (anonymous != null) {
            setConsumer(exchange, anonymous, null);
            return Optional.empty();
        }
        Map<String, String> headers = Map.of("WWW-Authenticate", failure.withError() ? wwwAuthenticateError : wwwAuthenticate);
        if (failure.errorsJson() != null) {
            return Optional.of(EdgeResponse.json(401, failure.errorsJson(), headers));
        }
        return Optional.of(EdgeResponse.message(401, failure.message(), headers));
    }

    private Failure authenticate(Exchange exchange) {
        Set<String> tokens = tokens(exchange);
        if (tokens.isEmpty()) {
            return new Failure("Unauthorized", null, false);
        }
        if (tokens.size() > 1) {
            return new Failure("Multiple tokens provided", null, true);
        }
        String token = tokens.iterator().next();
        Parsed cached = verifiedTokens.get(token);
        String[] parts = null;
        JsonNode header;
        JsonNode claims;
        byte[] signature = null;
        if (cached != null) {
            header = cached.header();
            claims = cached.claims();
        } else {
            try {
                parts = token.split("\\.", -1);
                if (parts.length != 3) {
                    throw new IllegalArgumentException("segments");
                }
                header = JSON.readTree(b64(parts[0]));
                claims = JSON.readTree(b64(parts[1]));
                signature = b64(parts[2]);
                if (header == null || !header.isObject() || claims == null || !claims.isObject()) {
                    throw new IllegalArgumentException("not objects");
                }
            } catch (Exception e) {
                return new Failure("Bad token; invalid JSON", null, true);
            }
        }
        JsonNode typ = header.get("typ");
        if (typ != null && !"JWT".equalsIgnoreCase(typ.asText())) {
            return new Failure("Bad token; invalid typ", null, true);
        }
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual() || !ALGORITHMS.contains(alg.asText())) {
            return new Failure("Bad token; invalid alg", null, true);
        }
        JsonNode keyNode = claims.get(keyClaim) != null ? claims.get(keyClaim) : header.get(keyClaim);
        if (keyNode == null || keyNode.isNull()) {
            return new Failure("No mandatory '" + keyClaim + "' in claims", null, true);
        }
        String key = keyNode.asText();
        if (key.isEmpty()) {
            return new Failure("Invalid '" + keyClaim + "' in claims", null, true);
        }
        Credential credential = credentials.get(key);
        if (credential == null) {
            return new Failure("No credentials found for given '" + keyClaim + "'", null, true);
        }
        if (!alg.asText().equals(credential.secret().algorithm())) {
            return new Failure("Invalid algorithm", null, true);
        }
        if (cached == null) {
            byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            if (!verify(credential, signingInput, signature)) {
                return new Failure("Invalid signature", null, true);
            }
            if (verifiedTokens.size() >= 10_000) {
                verifiedTokens.clear();
            }
            verifiedTokens.put(token, new Parsed(header, claims));
        }
        Map<String, String> claimErrors = verifyClaims(claims);
        if (!claimErrors.isEmpty()) {
            return new Failure(null, errorsJson(claimErrors), true);
        }
        if (maximumExpiration > 0) {
            JsonNode exp = claims.get("exp");
            long now = System.currentTimeMillis() / 1000;
            if (exp == null || !exp.isNumber() || exp.asDouble() - now > maximumExpiration) {
                return new Failure(null, errorsJson(Map.of("exp", "exceeds maximum allowed expiration")), true);
            }
        }
        if (credential.consumer() == null) {
            return new Failure("Could not find consumer for '" + keyClaim + "=" + key + "'", null, true);
        }
        setConsumer(exchange, credential.consumer(), credential.secret());
        return null;
    }

    private Map<String, String> verifyClaims(JsonNode claims) {
        Map<String, String> errors = new LinkedHashMap<>();
        long now = System.currentTimeMillis() / 1000;
        for (String claim : claimsToVerify) {
            JsonNode value = claims.get(claim);
            if (value == null || !value.isNumber()) {
                errors.put(claim, "must be a number");
            } else if (claim.equals("exp") && value.asDouble() <= now) {
                errors.put(claim, "token expired");
            } else if (claim.equals("nbf") && value.asDouble() > now) {
                errors.put(claim, "token not valid yet");
            }
        }
        return errors;
    }

    private static String errorsJson(Map<String, String> errors) {
        StringBuilder sb = new StringBuilder("{");
        errors.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(Json.quote(k)).append(':').append(Json.quote(v)));
        return sb.append('}').toString();
    }

    private static boolean verify(Credential credential, byte[] input, byte[] signature) {
        String alg = credential.secret().algorithm();
        try {
            if (alg.startsWith("HS")) {
                String macAlg = "Hmac" + "SHA" + alg.substring(2);
                Mac mac = Mac.getInstance(macAlg);
                mac.init(new SecretKeySpec(credential.secret().secret().getBytes(StandardCharsets.UTF_8), macAlg));
                return MessageDigest.isEqual(mac.doFinal(input), signature);
            }
            Signature verifier;
            if (alg.startsWith("RS")) {
                verifier = Signature.getInstance("SHA" + alg.substring(2) + "withRSA");
            } else if (alg.startsWith("PS")) {
                String sha = "SHA-" + alg.substring(2);
                int saltLength = Integer.parseInt(alg.substring(2)) / 8;
                verifier = Signature.getInstance("RSASSA-PSS");
                verifier.setParameter(new PSSParameterSpec(sha, "MGF1", new MGF1ParameterSpec(sha), saltLength, 1));
            } else if (alg.startsWith("ES")) {
                verifier = Signature.getInstance("SHA" + alg.substring(2) + "withECDSAinP1363Format");
            } else {
                verifier = Signature.getInstance("Ed25519");
            }
            verifier.initVerify(credential.publicKey());
            verifier.update(input);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private Set<String> tokens(Exchange exchange) {
        Set<String> tokens = new LinkedHashSet<>();
        if (!uriParams.isEmpty() && !exchange.rawQuery().isEmpty()) {
            for (String pair : exchange.rawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (eq > 0 && uriParams.contains(name) && eq < pair.length() - 1) {
                    tokens.add(java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        if (!cookieNames.isEmpty()) {
            for (String cookieHeader : exchange.headers("Cookie")) {
                for (String cookie : cookieHeader.split(";")) {
                    int eq = cookie.indexOf('=');
                    if (eq > 0 && cookieNames.contains(cookie.substring(0, eq).trim())) {
                        String value = cookie.substring(eq + 1).trim();
                        if (!value.isEmpty()) {
                            tokens.add(value);
                        }
                    }
                }
            }
        }
        for (String name : headerNames) {
            String value = exchange.header(name);
            if (value != null) {
                Matcher m = BEARER.matcher(value);
                if (m.lookingAt() && !m.group(1).isEmpty()) {
                    tokens.add(m.group(1));
                }
            }
        }
        return tokens;
    }

    private static void setConsumer(Exchange exchange, Entities.Consumer consumer, Entities.JwtSecret secret) {
        exchange.authenticate(consumer, secret == null ? null : secret.id(), secret == null ? null : secret.key());
        exchange.setUpstreamHeader("X-Consumer-ID", consumer.id());
        if (consumer.customId() != null) {
            exchange.setUpstreamHeader("X-Consumer-Custom-ID", consumer.customId());
        } else {
            exchange.removeUpstreamHeader("X-Consumer-Custom-ID");
        }
        if (consumer.username() != null) {
            exchange.setUpstreamHeader("X-Consumer-Username", consumer.username());
        } else {
            exchange.removeUpstreamHeader("X-Consumer-Username");
        }
        if (secret != null) {
            exchange.setUpstreamHeader("X-Credential-Identifier", secret.key());
            exchange.removeUpstreamHeader("X-Anonymous-Consumer");
        } else {
            exchange.removeUpstreamHeader("X-Credential-Identifier");
            exchange.setUpstreamHeader("X-Anonymous-Consumer", "true");
        }
    }

    private static byte[] b64(String part) {
        return Base64.getUrlDecoder().decode(part);
    }
}
