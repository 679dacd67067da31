package ai.universal.chat;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;

/**
 * HTTP to upstream LLM APIs: one shared Helidon HTTP/1.1 client (pooled keep-alive connections per upstream,
 * blocking I/O on the caller's virtual thread — no selector thread or future chain between the request and its answer,
 * which cost the JDK client several thread hand-offs per call). JSON bodies in, either a whole JSON answer or a line
 * reader over a streamed answer out. The timeout bounds every wait for upstream bytes: until the answer starts, and
 * between two reads of it. Connection failures, timeouts and error statuses become {@link UpstreamException}s with the
 * provider's own error message.
 */
final class UpstreamHttp implements AutoCloseable {
    private static final HeaderName ACCEPT = HeaderNames.ACCEPT;
    private static final int STREAM_READ = 1024;

    private final Http1Client client;
    private final AtomicInteger drains = new AtomicInteger();

    UpstreamHttp(Duration connectTimeout) {
        this.client = Http1Client.builder()
                // no Nagle: a request's last small write must not wait for the upstream's delayed ACK
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).tcpNoDelay(true).build())
                .followRedirects(false)
                .shareConnectionCache(false)
                .connectionCacheSize(512)
                .build();
    }

    /**
     * POST JSON and read a JSON answer.
     *
     * @param uri     endpoint
     * @param headers extra headers (keys are never logged)
     * @param body    JSON body
     * @param timeout longest wait for upstream bytes
     * @return answer
     */
    JsonNode postJson(URI uri, Map<String, String> headers, Object body, Duration timeout) {
        try (Http1ClientResponse response = post(uri, headers, body, timeout, "application/json")) {
            // read whole into one array of the answer's size (the entity stream would allocate a buffer per read)
            return Json.MAPPER.readTree(response.entity().as(byte[].class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200, "Upstream answered malformed JSON");
        } catch (IOException e) {
            throw failure(uri, e);
        } catch (RuntimeException e) {
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
        Http1ClientRequest request = client.get().uri(uri).readTimeout(timeout);
        headers.forEach((name, value) -> request.header(HeaderNames.create(name), value));
        try (Http1ClientResponse response = request.request()) {
            if (response.status().code() >= 300) {
                byte[] error = response.inputStream().readNBytes(64 * 1024);
                throw UpstreamException.ofStatus(response.status().code(), errorMessage(error));
            }
            return Json.MAPPER.readTree(response.inputStream());
        } catch (IOException e) {
            throw failure(uri, e);
        } catch (UncheckedIOException e) {
            throw failure(uri, e.getCause());
        }
    }

    /**
     * POST JSON and open the streamed answer as lines. The caller closes the reader; it calls
     * {@link StreamLines#completed()} first when it has read the answer's last event, so that the connection can be
     * kept (closing it otherwise abandons the upstream request: its connection is closed, not read to the end).
     *
     * @param uri     endpoint
     * @param headers headers
     * @param body    JSON body
     * @param timeout longest wait for upstream bytes (until the answer starts, and between two reads)
     * @param accept  Accept header
     * @return line reader
     */
    StreamLines postStream(URI uri, Map<String, String> headers, Object body, Duration timeout, String accept) {
        Http1ClientResponse response;
        try {
            response = post(uri, headers, body, timeout, accept);
        } catch (RuntimeException e) {
            throw failure(uri, e);
        }
        return new StreamLines(response, drains);
    }

    /**
     * Whether a finished stream's connection is still being read to its end before it goes back to the pool.
     *
     * @return true while any is
     */
    boolean draining() {
        return drains.get() > 0;
    }

    /**
     * The lines of a streamed answer. A stream's last event (OpenAI's {@code [DONE]}, Anthropic's {@code message_stop},
     * Ollama's {@code "done": true}) comes just before the end of the chunked body, and a chunked answer that is not read
     * to its end cannot go back to the pool: without {@link #completed()} every streamed answer cost a new upstream
     * connection (a new TCP, and for a cloud API a new TLS, handshake). After {@code completed()}, {@link #close()} reads
     * the rest of the body (normally just the last chunk's terminator) on a virtual thread and then releases the
     * connection, so an upstream that keeps the body open after its last event never delays the client's answer; one
     * that sends more than {@value #DRAIN_LIMIT} bytes more, or nothing within the read timeout, loses the connection.
     */
    static final class StreamLines extends BufferedReader {
        private static final int DRAIN_LIMIT = 64 * 1024;

        private final Http1ClientResponse response;
        private final InputStream entity;
        private final AtomicInteger drains;
        private boolean completed;

        private StreamLines(Http1ClientResponse response, AtomicInteger drains) {
            this(response, drains, new FilterInputStream(response.inputStream()) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    // the client allocates a fresh buffer of the requested size for every read, and a stream arrives
                    // one small event per read: asking for less keeps that garbage small
                    return super.read(b, off, Math.min(len, STREAM_READ));
                }
            });
        }

        private StreamLines(Http1ClientResponse response, AtomicInteger drains, InputStream entity) {
            super(new InputStreamReader(entity, StandardCharsets.UTF_8), 8192);
            this.response = response;
            this.drains = drains;
            this.entity = entity;
        }

        /** The caller has read the answer's last event: what follows is only the end of the body. */
        void completed() {
            completed = true;
        }

        @Override
        public void close() {
            // closing the response (not the entity stream, which would wait for the next chunk) releases the
            // connection when the answer was read to its end, and closes it otherwise
            if (!completed) {
                response.close();
                return;
            }
            drains.incrementAndGet();
            Thread.ofVirtual().name("upstream-drain").start(() -> {
                try {
                    byte[] rest = new byte[STREAM_READ];
                    int drained = 0;
                    for (int n; drained <= DRAIN_LIMIT && (n = entity.read(rest)) >= 0; ) {
                        drained += n;
                    }
                } catch (IOException | RuntimeException e) {
                    // the connection broke or timed out at the very end: closing the response closes it
                } finally {
                    response.close();
                    drains.decrementAndGet();
                }
            });
        }
    }

    private Http1ClientResponse post(URI uri, Map<String, String> headers, Object body, Duration timeout, String accept) {
        Http1ClientResponse response = submit(uri, headers, Json.bytes(body), timeout, accept);
        int status = response.status().code();
        if (status >= 300) {
            byte[] error;
            try (response) {
                error = response.inputStream().readNBytes(64 * 1024);
            } catch (IOException e) {
                error = new byte[0];
            }
            throw UpstreamException.ofStatus(status, errorMessage(error));
        }
        return response;
    }

    private Http1ClientResponse submit(URI uri, Map<String, String> headers, byte[] entity, Duration timeout, String accept) {
        try {
            return submitOnce(uri, headers, entity, timeout, accept);
        } catch (RuntimeException e) {
            if (connectFailure(e) || timedOut(e)) {
                throw e;
            }
            // A pooled connection the upstream closed while it sat idle fails on its first use, before any answer
            // (the client does not watch idle connections): one immediate attempt on a fresh connection.
            return submitOnce(uri, headers, entity, timeout, accept);
        }
    }

    private Http1ClientResponse submitOnce(URI uri, Map<String, String> headers, byte[] entity, Duration timeout,
                                           String accept) {
        Http1ClientRequest request = client.post().uri(uri).readTimeout(timeout)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .header(ACCEPT, accept);
        headers.forEach((name, value) -> request.header(HeaderNames.create(name), value));
        return request.submit(entity);
    }

    /**
     * A failure thrown while sending or opening an answer: an {@link UpstreamException} as it is, an I/O failure as
     * {@link #failure(URI, IOException)} words it, and the client library's own failures (e.g. the connection ended
     * inside a chunk or before the status line) as a protocol failure.
     */
    private static UpstreamException failure(URI uri, RuntimeException e) {
        if (e instanceof UpstreamException upstream) {
            return upstream;
        }
        if (e instanceof UncheckedIOException io) {
            return failure(uri, io.getCause());
        }
        return new UpstreamException(UpstreamException.Kind.PROTOCOL, 0, "Connection to " + uri.getScheme() + "://"
                + uri.getAuthority() + " failed: " + e.getClass().getSimpleName());
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static UpstreamException failure(URI uri, IOException e) {
        String where = uri.getScheme() + "://" + uri.getAuthority();
        if (connectFailure(e)) {
            return new UpstreamException(UpstreamException.Kind.CONNECT, 0, "Cannot connect to " + where, e);
        }
        if (e instanceof HttpTimeoutException || e instanceof SocketTimeoutException
                || e.getCause() instanceof SocketTimeoutException) {
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
            throw broken(e);
        } catch (UncheckedIOException e) {
            throw broken(e.getCause());
        } catch (RuntimeException e) {
            // the client library's own failures while reading (e.g. the connection ended inside a chunk)
            throw broken(e);
        }
    }

    private static UpstreamException broken(Throwable e) {
        if (e instanceof SocketTimeoutException || e.getCause() instanceof SocketTimeoutException) {
            return new UpstreamException(UpstreamException.Kind.TIMEOUT, 0, "Upstream stream sent nothing in time");
        }
        return new UpstreamException(UpstreamException.Kind.PROTOCOL, 0, "Upstream stream broke: "
                + e.getClass().getSimpleName());
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // abandoning a stream: nothing to do
        }
    }

    private static boolean connectFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            boolean connectTimeout = t instanceof SocketTimeoutException
                    && String.valueOf(t.getMessage()).toLowerCase().contains("connect");
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException || connectTimeout) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        client.closeResource();
    }
}
