package ai.universal.edge.local;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The edge's HTTP/1.1 client to services: blocking sockets (the edge runs on virtual threads), keep-alive connections
 * pooled per host and port, request bodies written as they are read (fixed length or chunked), responses parsed just
 * enough to relay them: status, headers, and a body stream that ends where the message ends (Content-Length, chunked,
 * or connection close). A connection goes back to the pool only when its response was read to the end.
 */
final class UpstreamClient implements AutoCloseable {
    private static final int MAX_IDLE_PER_HOST = 256;
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;

    private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> idleCounts = new ConcurrentHashMap<>();
    private final ReadDeadlines deadlines = new ReadDeadlines();
    private volatile boolean closed;

    /**
     * A request to send.
     *
     * @param method           method
     * @param target           path and query
     * @param headers          header lines (name, value), Host included
     * @param bodyLength       length of the body, -1 for chunked, 0 for none
     * @param connectTimeoutMs connect timeout
     * @param readTimeoutMs    read timeout (between bytes, as Kong's read_timeout)
     */
    record Request(String method, String target, List<String[]> headers, long bodyLength, int connectTimeoutMs,
                   int readTimeoutMs) {
    }

    /**
     * Writes a request body.
     */
    @FunctionalInterface
    interface BodyWriter {
        /**
         * Write the body; call flush when data should leave now.
         *
         * @param out body stream (chunk framing is added by the client)
         * @throws IOException on I/O errors
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * A response being read. Close it when done: a fully read one returns its connection to the pool.
     *
     * @param status  status code
     * @param headers header lines (name, value) as received
     * @param body    body stream
     * @param length  Content-Length, or -1 when not given
     */
    record Response(int status, List<String[]> headers, InputStream body, long length) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * Thrown when the connection could not be made (the request was not sent: safe to retry).
     */
    static final class ConnectFailure extends IOException {
        ConnectFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Send a request and read the response head.
     *
     * @param host    host
     * @param port    port
     * @param request request
     * @param body    body writer, null when the request has no body
     * @param replayable whether the body can be written again (for a retry on a stale pooled connection)
     * @return response
     * @throws IOException on failure; {@link ConnectFailure} when no connection could be made
     */
    Response send(String host, int port, Request request, BodyWriter body, boolean replayable) throws IOException {
        String key = host + ":" + port;
        Connection pooled = poll(key);
        if (pooled != null) {
            try {
                return exchange(pooled, key, request, body);
            } catch (IOException e) {
                pooled.closeQuietly();
                if (!pooled.responseStarted && !(e instanceof SocketTimeoutException)
                        && (body == null || replayable)) {
                    // the service closed an idle keep-alive connection: once more on a new one
                    return exchange(open(host, port, request.connectTimeoutMs()), key, request, body);
                }
                throw e;
            }
        }
        return exchange(open(host, port, request.connectTimeoutMs()), key, request, body);
    }

    private Response exchange(Connection c, String key, Request request, BodyWriter body) throws IOException {
        c.responseStarted = false;
        try {
            c.in.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(request.readTimeoutMs());
            AsciiOutput head = c.out;
            head.ascii(request.method()).ascii(" ").ascii(request.target()).ascii(" HTTP/1.1").crlf();
            for (String[] h : request.headers()) {
                head.ascii(h[0]).ascii(": ").ascii(h[1]).crlf();
            }
            if (request.bodyLength() < 0) {
                head.ascii("Transfer-Encoding: chunked").crlf();
            }
            head.crlf();
            if (body != null) {
                if (request.bodyLength() < 0) {
                    ChunkedOutput chunked = new ChunkedOutput(c.out);
                    body.write(chunked);
                    chunked.finish();
                } else {
                    body.write(new FixedOutput(c.out));
                }
            }
            c.out.flush();
            // the answer is hardly ever there right after the request left: let the other requests that are ready run
            // first. A read now would find nothing, re-arm the socket in epoll and park; after the yield it mostly
            // finds the answer (measured: 1.3 -> 0.4 epoll_ctl and 3.2 -> 2.3 reads per proxied request, together
            // with the yield in ProxyHandler). With nothing else ready, the yield returns at once.
            yieldIfVirtual();
            return readResponse(c, key, request.method());
        } catch (IOException | RuntimeException e) {
            c.closeQuietly();
            throw e;
        }
    }

    private Response readResponse(Connection c, String key, String method) throws IOException {
        while (true) {
            String statusLine = readLine(c.in);
            c.responseStarted = true;
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("invalid status line from upstream");
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            List<String[]> headers = new ArrayList<>();
            long length = -1;
            boolean chunked = false;
            boolean close = statusLine.startsWith("HTTP/1.0");
            String[] header;
            while ((header = c.in.readHeader()) != null) {
                String name = header[0];
                String value = header[1];
                if (name.isEmpty() || headers.size() > MAX_HEADERS) {
                    throw new IOException("invalid header from upstream");
                }
                // relayed to the client as they are: the proxy port does not check response headers again
                if (!HttpSyntax.isToken(name) || !HttpSyntax.isFieldValue(value)) {
                    throw new IOException("invalid header from upstream");
                }
                headers.add(header);
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase().contains("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    String v = value.toLowerCase();
                    close = v.contains("close") || (close && !v.contains("keep-alive"));
                }
            }
            if (status >= 100 && status < 200 && status != 101) {
                continue;
            }
            InputStream bodyStream;
            if (method.equals("HEAD")) {
                // some services (Helidon 4.5 on an `any` route) send the body after a HEAD answer anyway: those bytes
                // would be read as the next request's answer, so this connection is not used again
                bodyStream = new FixedInput(c, key, 0, true);
            } else if (status == 204 || status == 304 || status == 101) {
                bodyStream = new FixedInput(c, key, 0, close);
            } else if (chunked) {
                bodyStream = new ChunkedInput(c, key, close);
                length = -1;
            } else if (length >= 0) {
                bodyStream = new FixedInput(c, key, length, close);
            } else {
                bodyStream = new UntilCloseInput(c);
            }
            return new Response(status, headers, bodyStream, length);
        }
    }

    private Connection open(String host, int port, int connectTimeoutMs) throws IOException {
        Socket socket = new Socket();
        ConnectDeadline deadline = null;
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (connectTimeoutMs > 0 && !Thread.currentThread().isVirtual()) {
                // Socket.connect with a timeout leaves the socket non-blocking for good, and then every read that
                // finds no data costs a read, a poll and a read again instead of one read blocking in the kernel:
                // on a platform thread the connect blocks and the read-deadline watchdog ends it at its timeout
                deadline = new ConnectDeadline(socket, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMs));
                deadlines.add(deadline);
                deadlines.reading();
                socket.connect(address);
            } else {
                socket.connect(address, connectTimeoutMs);
            }
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            if (deadline != null && deadline.finish()) {
                throw new SocketTimeoutException("Connect timed out");
            }
            if (e instanceof SocketTimeoutException) {
                throw e;
            }
            throw new ConnectFailure(e);
        } finally {
            if (deadline != null) {
                deadlines.remove(deadline);
            }
        }
        if (deadline != null && deadline.finish()) {
            // connected just as the watchdog closed the socket
            throw new SocketTimeoutException("Connect timed out");
        }
        return new Connection(socket, deadlines);
    }

    /** A blocking connect's deadline: past it, the watchdog closes the socket, which ends the connect. */
    private static final class ConnectDeadline implements ReadDeadlines.Watched {
        private final Socket socket;
        private final long due;
        private final AtomicLong deadline;

        private ConnectDeadline(Socket socket, long due) {
            this.socket = socket;
            this.due = due == 0 ? 1 : due;
            this.deadline = new AtomicLong(this.due);
        }

        @Override
        public long deadline() {
            return deadline.get();
        }

        @Override
        public void expire(long seen) {
            if (deadline.compareAndSet(seen, 0)) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the connect ends either way
                }
            }
        }

        /**
         * The connect ended: stop the watchdog from closing the socket.
         *
         * @return whether the watchdog had already closed it (the connect timed out)
         */
        boolean finish() {
            return !deadline.compareAndSet(due, 0) && deadline.get() == 0;
        }
    }

    private Connection poll(String key) {
        Deque<Connection> q = idle.get(key);
        if (q == null) {
            return null;
        }
        Connection c = q.pollFirst();
        if (c != null) {
            idleCounts.get(key).decrementAndGet();
        }
        return c;
    }

    private void release(Connection c, String key) {
        if (closed || c.in.pos < c.in.limit) {
            // bytes beyond the answer (a service that sent more than it framed) would be read as the next answer
            c.closeQuietly();
            return;
        }
        AtomicInteger count = idleCounts.computeIfAbsent(key, k -> new AtomicInteger());
        if (count.incrementAndGet() > MAX_IDLE_PER_HOST) {
            count.decrementAndGet();
            c.closeQuietly();
            return;
        }
        idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).addFirst(c);
    }

    /**
     * Let the other ready virtual threads run before this one goes on (no-op on a platform thread).
     */
    static void yieldIfVirtual() {
        if (Thread.currentThread().isVirtual()) {
            Thread.yield();
        }
    }

    private static String readLine(SocketInput in) throws IOException {
        return in.readLine();
    }

    @Override
    public void close() {
        closed = true;
        deadlines.close();
        idle.values().forEach(q -> {
            Connection c;
            while ((c = q.pollFirst()) != null) {
                c.closeQuietly();
            }
        });
    }

    private static final class Connection {
        private final Socket socket;
        private final SocketInput in;
        private final AsciiOutput out;
        private boolean responseStarted;

        private Connection(Socket socket, ReadDeadlines deadlines) throws IOException {
            this.socket = socket;
            this.in = new SocketInput(socket, deadlines);
            this.out = new AsciiOutput(socket.getOutputStream(), 8 * 1024);
            deadlines.add(in);
        }

        private void closeQuietly() {
            in.deadlines.remove(in);
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /**
     * A read buffer owned by one connection (used by one thread at a time), so reading a header line byte by byte
     * takes no lock.
     */
    private static final class SocketInput extends InputStream implements ReadDeadlines.Watched {
        private static final long EXPIRED = Long.MIN_VALUE;
        private static final VarHandle DEADLINE;

        static {
            try {
                DEADLINE = MethodHandles.lookup().findVarHandle(SocketInput.class, "deadline", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Socket socket;
        private final InputStream raw;
        private final ReadDeadlines deadlines;
        private final byte[] buffer = new byte[16 * 1024];
        private int pos;
        private int limit;
        /** The current request's read timeout (between bytes); 0 for none. */
        private long timeoutNanos;
        /** Deadline of the read in progress: 0 when none, {@link #EXPIRED} once the watchdog ended it. */
        private volatile long deadline;

        private SocketInput(Socket socket, ReadDeadlines deadlines) throws IOException {
            this.socket = socket;
            this.raw = socket.getInputStream();
            this.deadlines = deadlines;
        }

        @Override
        public long deadline() {
            long d = deadline;
            return d == EXPIRED ? 0 : d;
        }

        @Override
        public void expire(long seen) {
            // only the read that was seen past its deadline: if it has ended meanwhile, the connection stays usable
            if (DEADLINE.compareAndSet(this, seen, EXPIRED)) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the blocked read ends either way
                }
            }
        }

        /**
         * A read from the socket under the read timeout (see {@link ReadDeadlines}). A read the watchdog ended is a
         * {@link SocketTimeoutException}, even when its bytes arrived at the same moment: the socket is closed.
         */
        private int rawRead(byte[] b, int off, int len) throws IOException {
            if (timeoutNanos <= 0) {
                return raw.read(b, off, len);
            }
            long d = System.nanoTime() + timeoutNanos;
            deadline = d == 0 || d == EXPIRED ? 1 : d;
            deadlines.reading();
            int n = -1;
            IOException failure = null;
            try {
                n = raw.read(b, off, len);
            } catch (IOException e) {
                failure = e;
            }
            if ((long) DEADLINE.getAndSet(this, 0L) == EXPIRED) {
                throw new SocketTimeoutException("Read timed out");
            }
            if (failure != null) {
                throw failure;
            }
            return n;
        }

        private boolean fill() throws IOException {
            int n = rawRead(buffer, 0, buffer.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }

        @Override
        public int read() throws IOException {
            if (pos >= limit && !fill()) {
                return -1;
            }
            return buffer[pos++] & 0xFF;
        }

        /**
         * Read one header line of a response head.
         *
         * @return {name, value without the spaces around it}; a line without a colon gives an empty name; null for the
         *         blank line that ends the head
         * @throws IOException when the connection ends or the line is too long
         */
        private String[] readHeader() throws IOException {
            if (pos >= limit && !fill()) {
                throw new EOFException("upstream closed the connection");
            }
            int end = pos;
            int colon = -1;
            while (end < limit && buffer[end] != '\n') {
                if (colon < 0 && buffer[end] == ':') {
                    colon = end;
                }
                end++;
            }
            if (end == limit) {
                // the line goes on past what was read: as a string
                String line = readLine();
                if (line.isEmpty()) {
                    return null;
                }
                int at = line.indexOf(':');
                return at < 0 ? new String[] {"", line}
                        : new String[] {line.substring(0, at), HttpSyntax.trimOws(line, at + 1)};
            }
            int stop = end > pos && buffer[end - 1] == '\r' ? end - 1 : end;
            int start = pos;
            pos = end + 1;
            if (stop == start) {
                return null;
            }
            if (colon < 0 || colon >= stop) {
                return new String[] {"", new String(buffer, start, stop - start, StandardCharsets.ISO_8859_1)};
            }
            int from = colon + 1;
            while (from < stop && (buffer[from] == ' ' || buffer[from] == '\t')) {
                from++;
            }
            int to = stop;
            while (to > from && (buffer[to - 1] == ' ' || buffer[to - 1] == '\t')) {
                to--;
            }
            return new String[] {new String(buffer, start, colon - start, StandardCharsets.ISO_8859_1),
                                 new String(buffer, from, to - from, StandardCharsets.ISO_8859_1)};
        }

        /**
         * One line without its CRLF (or LF), found by scanning the buffer rather than byte by byte.
         */
        private String readLine() throws IOException {
            StringBuilder spill = null;
            while (true) {
                if (pos >= limit && !fill()) {
                    throw new EOFException("upstream closed the connection");
                }
                int end = pos;
                while (end < limit && buffer[end] != '\n') {
                    end++;
                }
                if (end < limit) {
                    int stop = end;
                    String line;
                    if (spill == null) {
                        if (stop > pos && buffer[stop - 1] == '\r') {
                            stop--;
                        }
                        line = new String(buffer, pos, stop - pos, StandardCharsets.ISO_8859_1);
                    } else {
                        spill.append(new String(buffer, pos, stop - pos, StandardCharsets.ISO_8859_1));
                        int len = spill.length();
                        if (len > 0 && spill.charAt(len - 1) == '\r') {
                            spill.setLength(len - 1);
                        }
                        line = spill.toString();
                    }
                    pos = end + 1;
                    return line;
                }
                if (spill == null) {
                    spill = new StringBuilder(128);
                }
                spill.append(new String(buffer, pos, limit - pos, StandardCharsets.ISO_8859_1));
                pos = limit;
                if (spill.length() > MAX_LINE) {
                    throw new IOException("line too long from upstream");
                }
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos >= limit) {
                if (len >= buffer.length) {
                    return rawRead(b, off, len);
                }
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buffer, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return limit - pos > 0 ? limit - pos : raw.available();
        }
    }

    /** Request body of known length: passes bytes, flush goes to the socket. */
    private static final class FixedOutput extends OutputStream {
        private final OutputStream out;

        private FixedOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {
            // the connection stays open for the response
        }
    }

    /** Body with a known length; returns the connection to the pool once read to the end. */
    private final class FixedInput extends InputStream {
        private final Connection c;
        private final String key;
        private final boolean closeAfter;
        private long remaining;
        private boolean done;

        private FixedInput(Connection c, String key, long length, boolean closeAfter) {
            this.c = c;
            this.key = key;
            this.remaining = length;
            this.closeAfter = closeAfter;
            if (length == 0) {
                finish(true);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = c.in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                finish(false);
                throw new EOFException("upstream closed the connection before the end of the body");
            }
            remaining -= n;
            if (remaining == 0) {
                finish(true);
            }
            return n;
        }

        private void finish(boolean complete) {
            if (done) {
                return;
            }
            done = true;
            if (complete && !closeAfter) {
                release(c, key);
            } else {
                c.closeQuietly();
            }
        }

        @Override
        public void close() {
            finish(remaining == 0);
        }
    }

    /** Chunked body; returns the connection to the pool after the last chunk and trailers. */
    private final class ChunkedInput extends InputStream {
        private final Connection c;
        private final String key;
        private final boolean closeAfter;
        private long chunkLeft;
        private boolean eof;
        private boolean done;

        private ChunkedInput(Connection c, String key, boolean closeAfter) {
            this.c = c;
            this.key = key;
            this.closeAfter = closeAfter;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (eof) {
                return -1;
            }
            if (chunkLeft == 0) {
                String size = readLine(c.in);
                int semi = size.indexOf(';');
                chunkLeft = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (chunkLeft == 0) {
                    while (!readLine(c.in).isEmpty()) {
                        // trailers are not relayed
                    }
                    eof = true;
                    finish(true);
                    return -1;
                }
            }
            int n = c.in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                finish(false);
                throw new EOFException("upstream closed the connection inside a chunk");
            }
            chunkLeft -= n;
            if (chunkLeft == 0) {
                readLine(c.in);
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return eof ? 0 : (int) Math.min(chunkLeft, c.in.available());
        }

        private void finish(boolean complete) {
            if (done) {
                return;
            }
            done = true;
            if (complete && !closeAfter) {
                release(c, key);
            } else {
                c.closeQuietly();
            }
        }

        @Override
        public void close() {
            finish(eof);
        }
    }

    /** Body delimited by the end of the connection (HTTP/1.0 style). */
    private static final class UntilCloseInput extends InputStream {
        private final Connection c;

        private UntilCloseInput(Connection c) {
            this.c = c;
        }

        @Override
        public int read() throws IOException {
            return c.in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return c.in.read(b, off, len);
        }

        @Override
        public void close() {
            c.closeQuietly();
        }
    }
}
