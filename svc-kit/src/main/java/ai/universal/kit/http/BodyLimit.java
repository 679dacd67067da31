package ai.universal.kit.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The request-body limit, enforced so that the client actually reads its 413.
 *
 * <p>Helidon's own {@code maxPayloadSize} answers a too-large {@code Content-Length} at once and closes the connection
 * with the body still arriving; the kernel then resets the connection (unread data at close), and a client still
 * sending its body often loses the 413 and sees a broken connection instead. So the server's transport limit is set
 * to {@link #transportLimit()} and this filter answers 413 for anything over the endpoint's limit; Helidon then reads
 * and discards the rest of the body (its "consume the unread entity" step) and keeps the connection. Only bodies over
 * the transport limit still get the abrupt close — the same bound nginx's lingering close has.
 *
 * <p>Chunked bodies have no length up front: their stream counts bytes and fails the handler's read with the same 413
 * once the limit is passed; reads after that (Helidon's discard) pass through.
 */
public final class BodyLimit implements Filter {
    /** The detail of every 413 for a too-large body, whichever layer answers it. */
    public static final String DETAIL = "Request body is larger than this endpoint accepts (Request Entity Too Large)";
    private static final long MIN_DRAIN = 8L * 1024 * 1024;

    private final long limit;

    /**
     * Create.
     *
     * @param limit largest body accepted, in bytes; negative for none
     */
    public BodyLimit(long limit) {
        this.limit = limit;
    }

    /**
     * The limit for the HTTP layer: the endpoint limit plus what is worth discarding so the client gets its answer.
     *
     * @return bytes, or -1 for none
     */
    public long transportLimit() {
        if (limit < 0) {
            return -1;
        }
        long drain = Math.max(limit, MIN_DRAIN);
        return limit > Long.MAX_VALUE - drain ? Long.MAX_VALUE : limit + drain;
    }

    /**
     * The problem every too-large body gets.
     *
     * @return 413
     */
    public static ProblemException tooLarge() {
        return ProblemException.of(413, "request_entity_too_large", "Request Entity Too Large", DETAIL);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (limit >= 0) {
            OptionalLong length = req.headers().contentLength();
            if (length.isPresent()) {
                if (length.getAsLong() > limit) {
                    throw tooLarge();
                }
            } else if (req.headers().contains(HeaderNames.TRANSFER_ENCODING)) {
                req.streamFilter(in -> new Counting(in, limit));
            }
        }
        chain.proceed();
    }

    /** Counts a chunked body; the first read past the limit fails with 413, later reads (the discard) pass. */
    static final class Counting extends FilterInputStream {
        private final long limit;
        private long count;
        private boolean failed;

        Counting(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            count += n;
            if (count > limit && !failed) {
                failed = true;
                throw tooLarge();
            }
        }
    }
}
