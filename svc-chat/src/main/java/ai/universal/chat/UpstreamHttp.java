package ai.universal.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * HTTP to upstream LLM APIs (one shared JDK client, HTTP/1.1 keep-alive, virtual threads): JSON bodies in, either a
 * whole JSON answer or a line reader over a streamed answer out. Connection failures, timeouts and error statuses
 * become {@link UpstreamException}s with the provider's own error message.
 */
final class UpstreamHttp implements AutoCloseable {
    private final HttpClient client;

    UpstreamHttp(Duration connectTimeout) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /**
     * POST JSON and read a JSON answer.
     *
     * @param uri     endpoint
     * @param headers extra headers (keys are never logged)
     * @param body    JSON body
     * @param timeout time for the whole answer
     * @return answer
     */
    JsonNode postJson(URI uri, Map<String, String> headers, Object body, Duration timeout) {
        try (InputStream in = open(uri, headers, body, timeout, "application/json")) {
            return Json.MAPPER.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200, "Upstream answered malformed JSON");
        } catch (IOException e) {
            throw failure(uri, e);
        }
    }

    /**
     * GET a JSON document (model discovery).
     *
     * @param uri     URL
     * @param headers headers
     * @param timeout timeout
     * @return document
     */
    JsonNode getJson(URI uri, Map<String, String> headers, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        headers.forEach(request::header);
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() >= 300) {
                    throw UpstreamException.ofStatus(response.statusCode(), errorMessage(in.readAllBytes()));
                }
                return Json.MAPPER.readTree(in);
            }
        } catch (IOException e) {
            throw failure(uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT, 0, "Interrupted");
        }
    }

    /**
     * POST JSON and open the streamed answer as lines. The caller closes the reader (closing it abandons the
     * upstream request).
     *
     * @param uri     endpoint
     * @param headers headers
     * @param body    JSON body
     * @param timeout time until the answer starts
     * @param accept  Accept header
     * @return line reader
     */
    BufferedReader postStream(URI uri, Map<String, String> headers, Object body, Duration timeout, String accept) {
        return new BufferedReader(new InputStreamReader(open(uri, headers, body, timeout, accept), StandardCharsets.UTF_8),
                                  8192);
    }

    private InputStream open(URI uri, Map<String, String> headers, Object body, Duration timeout, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
        headers.forEach(request::header);
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() >= 300) {
                byte[] error;
                try (InputStream in = response.body()) {
                    error = in.readNBytes(64 * 1024);
                }
                throw UpstreamException.ofStatus(response.statusCode(), errorMessage(error));
            }
            return response.body();
        } catch (IOException e) {
            throw failure(uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT, 0, "Interrupted");
        }
    }

    static UpstreamException failure(URI uri, IOException e) {
        String where = uri.getScheme() + "://" + uri.getAuthority();
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException
                || (e.getCause() instanceof ConnectException)) {
            return new UpstreamException(UpstreamException.Kind.CONNECT, 0, "Cannot connect to " + where, e);
        }
        if (e instanceof HttpTimeoutException) {
            return new UpstreamException(UpstreamException.Kind.TIMEOUT, 0, "No answer from " + where + " in time", e);
        }
        return new UpstreamException(UpstreamException.Kind.PROTOCOL, 0, "Connection to " + where + " failed: "
                + e.getClass().getSimpleName(), e);
    }

    /**
     * The message inside a provider's error body: OpenAI {@code {"error":{"message"}}}, Anthropic
     * {@code {"type":"error","error":{"message"}}}, Ollama {@code {"error":"…"}}.
     *
     * @param body body bytes
     * @return message
     */
    static String errorMessage(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            JsonNode error = node.path("error");
            if (error.isTextual()) {
                return error.asText();
            }
            if (error.isObject()) {
                String code = error.path("code").asText(error.path("type").asText(""));
                String message = error.path("message").asText("");
                return code.isEmpty() ? message : message + " [" + code + "]";
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: fall through to the raw text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) : text;
    }

    /**
     * Read one line, turning an I/O failure into a broken-stream error.
     *
     * @param reader reader
     * @return line or null at the end
     */
    static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 0, "Upstream stream broke: "
                    + e.getClass().getSimpleName());
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // abandoning a stream: nothing to do
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
