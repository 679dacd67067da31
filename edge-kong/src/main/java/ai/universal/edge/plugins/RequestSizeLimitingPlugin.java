package ai.universal.edge.plugins;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * request-size-limiting: a {@code Content-Length} above {@code allowed_payload_size} (in {@code size_unit}) answers
 * 413 "Request size limit exceeded" before anything is read; without a length (chunked) the body is read up to the
 * limit and refused as soon as it goes past it (Kong buffers request bodies the same way); with
 * {@code require_content_length} a body without a length answers 411.
 */
public final class RequestSizeLimitingPlugin implements EdgePlugin {
    /** Attribute holding a supplier of the client's body stream, set by the proxy. */
    public static final String BODY_STREAM = "request-body-stream";

    private final long limitBytes;
    private final boolean requireContentLength;

    /**
     * Create from config.
     *
     * @param config normalized config
     */
    public RequestSizeLimitingPlugin(PluginConfig config) {
        long size = config.num("allowed_payload_size").longValue();
        this.limitBytes = switch (config.str("size_unit")) {
        case "bytes" -> size;
        case "kilobytes" -> size * 1024;
        default -> size * 1024 * 1024;
        };
        this.requireContentLength = config.bool("require_content_length");
    }

    @Override
    public String name() {
        return "request-size-limiting";
    }

    @Override
    public int priority() {
        return 951;
    }

    /**
     * The limit in bytes.
     *
     * @return bytes
     */
    public long limitBytes() {
        return limitBytes;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<EdgeResponse> access(Exchange exchange) {
        String length = exchange.header("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > limitBytes) {
                    return Optional.of(EdgeResponse.message(413, "Request size limit exceeded"));
                }
                return Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.of(EdgeResponse.message(400, "Bad request: invalid Content-Length"));
            }
        }
        boolean hasBody = exchange.header("Transfer-Encoding") != null;
        if (!hasBody) {
            return Optional.empty();
        }
        if (requireContentLength) {
            return Optional.of(EdgeResponse.message(411, "A valid Content-Length header is required"));
        }
        Supplier<InputStream> body = (Supplier<InputStream>) exchange.attributes().get(BODY_STREAM);
        if (body == null) {
            return Optional.empty();
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try (InputStream in = body.get()) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (buffer.size() + n > limitBytes) {
                    return Optional.of(EdgeResponse.message(413, "Request size limit exceeded"));
                }
                buffer.write(chunk, 0, n);
            }
        } catch (IOException | UncheckedIOException e) {
            return Optional.of(EdgeResponse.message(400, "Bad request: could not read the request body"));
        }
        exchange.bufferedBody(buffer.toByteArray());
        return Optional.empty();
    }
}
