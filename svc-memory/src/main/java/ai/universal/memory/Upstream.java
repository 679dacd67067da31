package ai.universal.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import ai.universal.kit.ServiceClient;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.RequestContext;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

/**
 * Another platform service (svc-ml, svc-vector) as svc-memory calls it. Inside a request the caller's own credentials
 * go along (svc-kit's {@link ServiceClient}); outside one (the outbox relay, the purge job) svc-memory's service API key
 * ({@code MEMORY_SERVICE_API_KEY}) does. When the callee refuses the caller's credentials (a key without the
 * {@code vectors} scope) and a service key is set, the call is repeated with the service key: svc-memory confines every
 * query to the caller's own memories itself.
 */
final class Upstream {
    private final String name;
    private final ServiceClient caller;
    private final WebClient direct;
    private final String serviceKey;

    /**
     * A reply.
     *
     * @param status status
     * @param body   body
     */
    record Reply(int status, byte[] body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String excerpt() {
            String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        }
    }

    /**
     * Thrown when the service cannot be reached or answers an error.
     */
    static final class UnavailableException extends RuntimeException {
        private final int status;

        UnavailableException(String message, int status, Throwable cause) {
            super(message, cause, false, false);
            this.status = status;
        }

        /**
         * HTTP status, or 0 when the service was not reached.
         *
         * @return status
         */
        int status() {
            return status;
        }
    }

    Upstream(String name, String baseUrl, ServiceClient caller, Duration timeout, String serviceKey) {
        this.name = name;
        this.caller = caller;
        this.direct = WebClient.builder().baseUri(baseUrl).connectTimeout(timeout).readTimeout(timeout).build();
        this.serviceKey = serviceKey;
    }

    /**
     * Call, with the caller's credentials inside a request and the service key outside.
     *
     * @param method method
     * @param path   path and query
     * @param body   JSON body or null
     * @return reply (any status)
     * @throws UnavailableException when the service could not be reached
     */
    Reply call(Method method, String path, Object body) {
        try {
            return once(method, path, body);
        } catch (UnavailableException e) {
            // A pooled connection to an instance that restarted fails on first use; every call svc-memory makes is
            // idempotent in effect (embed, search, upsert, delete by id), so one fresh attempt is safe.
            return once(method, path, body);
        }
    }

    private Reply once(Method method, String path, Object body) {
        try {
            if (RequestContext.current().isPresent()) {
                ServiceClient.Response r = caller.send(method, path, body);
                if ((r.status() == 401 || r.status() == 403) && serviceKey != null) {
                    return direct(method, path, body);
                }
                return new Reply(r.status(), r.body());
            }
            return direct(method, path, body);
        } catch (UnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            // Connection refused, reset, timeout: Helidon's client reports them as various runtime exceptions.
            throw new UnavailableException(name + " unreachable: " + e.getClass().getSimpleName() + " " + e.getMessage(), 0, e);
        }
    }

    /**
     * Call and require a 2xx answer.
     *
     * @param method method
     * @param path   path
     * @param body   body
     * @return JSON body
     * @throws UnavailableException on failure
     */
    JsonNode require(Method method, String path, Object body) {
        Reply reply = call(method, path, body);
        if (!reply.ok()) {
            throw new UnavailableException(name + " answered " + reply.status() + " to " + method.text() + " " + path
                                                   + ": " + reply.excerpt(), reply.status(), null);
        }
        return reply.json();
    }

    private Reply direct(Method method, String path, Object body) {
        HttpClientRequest request = direct.method(method).path(path);
        if (serviceKey != null) {
            request.header(HeaderNames.AUTHORIZATION, "Bearer " + serviceKey);
        }
        try (HttpClientResponse response = body == null
                ? request.request()
                : request.header(HeaderNames.CONTENT_TYPE, "application/json").submit(Json.bytes(body))) {
            return new Reply(response.status().code(), response.entity().as(byte[].class));
        }
    }
}
