package ai.universal.edge.local;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.helidon.http.DateTime;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;

/**
 * One client connection of the proxy port (see {@link ProxyListener}): reads HTTP/1.1 requests, hands each to the
 * proxy, writes its response, and keeps the connection for the next one.
 *
 * <p>It serves itself only what it reads exactly as RFC 9112 writes it and the proxy needs nothing more for: an
 * HTTP/1.1 request line with an origin-form target, header lines of token names and visible-ASCII values, CRLF line
 * ends, a body framed by one {@code Content-Length} or none. Any other request — an upgrade, {@code Transfer-Encoding},
 * {@code Expect}, HTTP/1.0, obs-fold, bare LF, dot-segments, a head over {@link #HEAD_MAX} bytes, bytes that are no
 * HTTP at all — goes, with everything after it on the connection, to Helidon's listener through the tunnel, where it
 * is answered as it always was (Helidon's parser and its 4xx answers included).
 */
final class ProxyConnection implements Runnable {
    private static final System.Logger LOGGER = System.getLogger(ProxyConnection.class.getName());
    /** Largest request head (request line and headers) served here; a larger one goes through the tunnel. */
    static final int HEAD_MAX = 16 * 1024;
    /** Longest request line served here (Helidon's default maximum prologue). */
    private static final int LINE_MAX = 2048;
    private static final int HEADERS_MAX = 100;
    /** Unread request body drained after the response so the connection can be kept; beyond this it is closed. */
    private static final long DRAIN_MAX = 64 * 1024;
    private static final int EOF = -1;
    private static final int TUNNEL = -2;
    private static final boolean[] TCHAR = new boolean[128];
    private static final boolean[] TARGET = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            TCHAR[c] = HttpSyntax.isTokenChar(c);
            // RFC 3986 path and query characters: unreserved, sub-delims, ':', '@', '/', '?' and '%' (checked for two
            // hex digits); nothing Helidon might read differently ('#', brackets, quotes, backslash, braces...)
            TARGET[c] = HttpSyntax.isUnreserved(c) || HttpSyntax.isSubDelim(c) || ":@/?%".indexOf(c) >= 0;
        }
    }

    /**
     * What serves a request the connection read.
     */
    interface Handler {
        /**
         * Serve one request.
         *
         * @param req request
         * @param res its response (must be sent before this returns)
         */
        void handle(ProxyIo.Request req, ProxyIo.Response res);
    }

    private final Socket socket;
    private final ProxyListener listener;
    private final Handler handler;
    private final InputStream in;
    private final AsciiOutput out;
    private final InetSocketAddress client;
    private final byte[] buf = new byte[HEAD_MAX];
    private int pos;
    private int lim;
    private volatile long idleSince;
    private volatile boolean tunneled;
    /** A request's plugins wait on the network: the connection goes on on a virtual thread (see run). */
    private boolean toVirtual;

    ProxyConnection(Socket socket, ProxyListener listener, Handler handler) throws IOException {
        this.socket = socket;
        this.listener = listener;
        this.handler = handler;
        this.in = socket.getInputStream();
        this.out = new AsciiOutput(socket.getOutputStream(), 16 * 1024);
        this.client = (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    /**
     * When the connection began waiting for its next request.
     *
     * @return {@link System#nanoTime()}, or 0 while a request is in progress (or the connection is a tunnel)
     */
    long idleSince() {
        return idleSince;
    }

    @Override
    public void run() {
        boolean handedOver = false;
        try {
            while (true) {
                idleSince = System.nanoTime();
                int end = readHead();
                idleSince = 0;
                if (end == EOF) {
                    return;
                }
                Request request = end == TUNNEL ? null : parse(end);
                if (request == null) {
                    tunnel();
                    return;
                }
                pos = end;
                if (!serve(request)) {
                    return;
                }
                if (toVirtual && !Thread.currentThread().isVirtual()) {
                    // a wait on Redis per request costs a platform thread a futex and a context switch each time,
                    // a virtual thread little: the rest of this connection runs on one (measured: jwt + redis
                    // rate-limiting lost ~20% of its req/s on platform threads)
                    handedOver = true;
                    Thread.ofVirtual().name("edge-conn-v").start(this);
                    return;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "client connection ended: " + e.getMessage());
        } finally {
            if (!tunneled && !handedOver) {
                close();
            }
        }
    }

    /**
     * Close the connection (and its tunnel).
     */
    void close() {
        idleSince = 0;
        ProxyListener.closeQuietly(socket);
        listener.closed(this);
    }

    /**
     * Read until the buffer holds a whole request head.
     *
     * @return index after the head's blank line; {@link #EOF} when the client closed; {@link #TUNNEL} when the head is
     *         no plain CRLF head or too large
     */
    private int readHead() throws IOException {
        int scan = pos;
        while (true) {
            for (int i = scan; i < lim; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    if (i == pos || buf[i - 1] != '\r') {
                        return TUNNEL;
                    }
                    if (i - pos >= 3 && buf[i - 2] == '\n') {
                        return i + 1;
                    }
                } else if (i > pos && buf[i - 1] == '\r') {
                    return TUNNEL;
                }
            }
            scan = lim;
            if (lim == buf.length) {
                if (pos == 0) {
                    return TUNNEL;
                }
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                scan -= pos;
                lim -= pos;
                pos = 0;
            }
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                return EOF;
            }
            lim += n;
        }
    }

    /**
     * Parse the head in {@code buf[pos, end)}.
     *
     * @return the request, or null when it must go through the tunnel
     */
    private Request parse(int end) {
        int lineEnd = indexOf(pos, end, '\r');
        if (lineEnd - pos > LINE_MAX) {
            return null;
        }
        int sp1 = indexOf(pos, lineEnd, ' ');
        if (sp1 <= pos || sp1 - pos > 20 || !upperCase(pos, sp1)) {
            return null;
        }
        int targetStart = sp1 + 1;
        int sp2 = indexOf(targetStart, lineEnd, ' ');
        if (sp2 >= lineEnd || sp2 == targetStart || buf[targetStart] != '/' || lineEnd - sp2 != 9
                || !matches(sp2 + 1, "HTTP/1.1")) {
            return null;
        }
        int query = -1;
        for (int i = targetStart; i < sp2; i++) {
            byte b = buf[i];
            if (b < 0 || !TARGET[b]) {
                return null;
            }
            if (b == '%' && (i + 2 >= sp2 || !HttpSyntax.isHex((char) buf[i + 1])
                    || !HttpSyntax.isHex((char) buf[i + 2]))) {
                return null;
            }
            if (b == '?' && query < 0) {
                query = i;
            }
            // dot-segments and empty segments in the path: left to Helidon, whatever it makes of them
            if (query < 0 && b == '/' && i + 1 < sp2 && (buf[i + 1] == '/' || buf[i + 1] == '.')) {
                return null;
            }
        }
        String method = method(pos, sp1);
        int pathEnd = query < 0 ? sp2 : query;
        String path = latin1(targetStart, pathEnd);
        String rawQuery = query < 0 ? null : latin1(query + 1, sp2);
        WritableHeaders<?> headers = WritableHeaders.create();
        long contentLength = -1;
        boolean close = false;
        int count = 0;
        for (int ls = lineEnd + 2; ls < end - 2; ) {
            int le = indexOf(ls, end, '\r');
            int colon = indexOf(ls, le, ':');
            if (colon == ls || colon >= le || !tokens(ls, colon) || ++count > HEADERS_MAX) {
                return null;
            }
            int vs = colon + 1;
            int ve = le;
            for (int i = vs; i < ve; i++) {
                byte b = buf[i];
                if (b < 0x20 && b != '\t' || b == 0x7f || b < 0) {
                    return null;
                }
            }
            while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t')) {
                vs++;
            }
            while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) {
                ve--;
            }
            String name = latin1(ls, colon);
            String value = latin1(vs, ve);
            switch (colon - ls) {
            case 6, 7, 17 -> {
                if (name.equalsIgnoreCase("expect") || name.equalsIgnoreCase("upgrade")
                        || name.equalsIgnoreCase("transfer-encoding")) {
                    return null;
                }
            }
            case 14 -> {
                if (name.equalsIgnoreCase("http2-settings")) {
                    return null;
                }
                if (name.equalsIgnoreCase("content-length")) {
                    if (contentLength >= 0 || value.isEmpty() || value.length() > 18 || !digits(value)) {
                        return null;
                    }
                    contentLength = Long.parseLong(value);
                }
            }
            case 10 -> {
                if (name.equalsIgnoreCase("connection")) {
                    for (String token : value.split(",")) {
                        String t = token.trim();
                        if (t.equalsIgnoreCase("upgrade")) {
                            return null;
                        }
                        close |= t.equalsIgnoreCase("close");
                    }
                }
            }
            default -> {
            }
            }
            headers.add(HeaderValues.create(ProxyHandler.headerName(name), value));
            ls = le + 2;
        }
        return new Request(method, path, rawQuery, headers, Math.max(contentLength, 0), close);
    }

    /**
     * Serve one request and write its response.
     *
     * @return whether the connection stays open for the next one
     */
    private boolean serve(Request request) throws IOException {
        Response response = new Response(request);
        try {
            handler.handle(request, response);
        } catch (RuntimeException e) {
            if (e instanceof UncheckedIOException io) {
                throw io;
            }
            LOGGER.log(System.Logger.Level.ERROR, "request failed", e);
            if (response.started) {
                return false;
            }
            response.headers.clear();
            response.closeAfter = true;
            response.status(500);
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send("{\"message\":\"An unexpected error occurred\"}".getBytes(StandardCharsets.UTF_8));
        }
        if (!response.started) {
            LOGGER.log(System.Logger.Level.ERROR, "no response sent for " + request.method + " " + request.path);
            response.closeAfter = true;
            response.status(500);
            response.send();
        }
        response.finish();
        if (response.closeAfter) {
            return false;
        }
        // what the proxy did not read of the body is skipped, if small, to keep the connection
        if (request.contentLength > 0) {
            Body body = request.body();
            if (body.remaining > DRAIN_MAX) {
                return false;
            }
            body.transferTo(OutputStream.nullOutputStream());
        }
        return true;
    }

    /**
     * Hand the connection, from the request at {@code pos} on, to Helidon's listener: a PROXY protocol line with the
     * client's address, the bytes read so far, then bytes both ways until either side closes.
     */
    private void tunnel() throws IOException {
        Socket upstream = new Socket();
        try {
            upstream.connect(listener.tunnel(), 5000);
            upstream.setTcpNoDelay(true);
            InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
            String family = client.getAddress() instanceof Inet6Address ? "TCP6" : "TCP4";
            byte[] proxyLine = ("PROXY " + family + " " + address(client) + " " + address(local) + " "
                    + client.getPort() + " " + local.getPort() + "\r\n").getBytes(StandardCharsets.US_ASCII);
            OutputStream toHelidon = upstream.getOutputStream();
            byte[] first = new byte[proxyLine.length + lim - pos];
            System.arraycopy(proxyLine, 0, first, 0, proxyLine.length);
            System.arraycopy(buf, pos, first, proxyLine.length, lim - pos);
            toHelidon.write(first);
            toHelidon.flush();
        } catch (IOException e) {
            ProxyListener.closeQuietly(upstream);
            throw e;
        }
        tunneled = true;
        Thread.ofVirtual().name("edge-tunnel-in").start(() -> {
            try {
                in.transferTo(upstream.getOutputStream());
                upstream.shutdownOutput();
            } catch (IOException e) {
                ProxyListener.closeQuietly(upstream);
            }
        });
        Thread.ofVirtual().name("edge-tunnel-out").start(() -> {
            try {
                upstream.getInputStream().transferTo(socket.getOutputStream());
            } catch (IOException e) {
                LOGGER.log(System.Logger.Level.DEBUG, "tunnel ended: " + e.getMessage());
            } finally {
                ProxyListener.closeQuietly(upstream);
                close();
            }
        });
    }

    private static String address(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        int scope = host.indexOf('%');
        return scope < 0 ? host : host.substring(0, scope);
    }

    private int indexOf(int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (buf[i] == c) {
                return i;
            }
        }
        return to;
    }

    private boolean tokens(int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b < 0 || !TCHAR[b]) {
                return false;
            }
        }
        return true;
    }

    /** Methods are case-sensitive, but Helidon reads {@code get} as GET: only upper-case methods are served here. */
    private boolean upperCase(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] < 'A' || buf[i] > 'Z') {
                return false;
            }
        }
        return true;
    }

    private boolean matches(int from, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (buf[from + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String method(int from, int to) {
        int n = to - from;
        if (n == 3 && matches(from, "GET")) {
            return "GET";
        }
        if (n == 4 && matches(from, "POST")) {
            return "POST";
        }
        return latin1(from, to);
    }

    private String latin1(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * A request read by this connection.
     */
    private final class Request implements ProxyIo.Request {
        private final String method;
        private final String path;
        private final String rawQuery;
        private final WritableHeaders<?> headers;
        private final long contentLength;
        private final boolean close;
        private Body body;

        private Request(String method, String path, String rawQuery, WritableHeaders<?> headers, long contentLength,
                        boolean close) {
            this.method = method;
            this.path = path;
            this.rawQuery = rawQuery;
            this.headers = headers;
            this.contentLength = contentLength;
            this.close = close;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public String rawPath() {
            return path;
        }

        @Override
        public String rawQuery() {
            return rawQuery;
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public InetSocketAddress client() {
            return client;
        }

        @Override
        public boolean http11() {
            return true;
        }

        @Override
        public boolean hasEntity() {
            return contentLength > 0;
        }

        @Override
        public Body body() {
            if (body == null) {
                body = new Body(contentLength);
            }
            return body;
        }
    }

    /**
     * A request body of known length, read from the connection's buffer first.
     */
    private final class Body extends InputStream {
        private long remaining;

        private Body(long length) {
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int want = (int) Math.min(len, remaining);
            int n;
            if (pos < lim) {
                n = Math.min(want, lim - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
            } else {
                n = in.read(b, off, want);
                if (n < 0) {
                    throw new EOFException("client closed the connection within the request body");
                }
            }
            remaining -= n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(remaining, lim - pos);
        }

        @Override
        public void close() {
            // the connection stays; what is left is drained after the response
        }
    }

    /**
     * The response to one request, written straight to the connection.
     */
    private final class Response implements ProxyIo.Response {
        private final boolean head;
        /** The answer's headers in the order they were set: a handful, so a list and no index. */
        private final List<Header> headers = new ArrayList<>(16);
        private int status = 200;
        private boolean started;
        private boolean closeAfter;
        private BodyOut stream;

        private Response(Request request) {
            this.head = "HEAD".equals(request.method);
            this.closeAfter = request.close;
        }

        @Override
        public void status(int code) {
            status = code;
        }

        @Override
        public void header(Header header) {
            String name = header.headerName().lowerCase();
            for (int i = headers.size() - 1; i >= 0; i--) {
                if (headers.get(i).headerName().lowerCase().equals(name)) {
                    headers.remove(i);
                }
            }
            headers.add(header);
        }

        @Override
        public void addHeader(Header header) {
            headers.add(header);
        }

        private Header first(HeaderName name) {
            String lower = name.lowerCase();
            for (Header h : headers) {
                if (h.headerName().lowerCase().equals(lower)) {
                    return h;
                }
            }
            return null;
        }

        @Override
        public void send(byte[] body) {
            begin();
            try {
                writeHead(body.length, false);
                if (!head) {
                    out.write(body, 0, body.length);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void send() {
            begin();
            try {
                writeHead(status < 200 || status == 204 || status == 304 ? -1 : 0, false);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void preferVirtualThread() {
            toVirtual = true;
        }

        @Override
        public OutputStream outputStream() {
            begin();
            Header contentLength = first(HeaderNames.CONTENT_LENGTH);
            stream = new BodyOut(contentLength == null ? -1 : Long.parseLong(contentLength.get()));
            return stream;
        }

        private void begin() {
            if (started) {
                throw new IllegalStateException("response already sent");
            }
            started = true;
        }

        void finish() throws IOException {
            if (stream != null && !stream.closed) {
                stream.close();
            }
        }

        private void writeHead(long contentLength, boolean chunked) throws IOException {
            Header connection = first(HeaderNames.CONNECTION);
            if (connection != null && connection.get().toLowerCase(java.util.Locale.ROOT).contains("close")) {
                closeAfter = true;
            }
            Status s = Status.create(status);
            out.ascii("HTTP/1.1 ").decimal(status).ascii(" ").ascii(s.reasonPhrase()).crlf();
            if (first(HeaderNames.DATE) == null) {
                out.ascii("Date: ").ascii(DateTime.rfc1123String()).crlf();
            }
            out.ascii(closeAfter ? "Connection: close" : "Connection: keep-alive").crlf();
            if (contentLength >= 0 && first(HeaderNames.CONTENT_LENGTH) == null) {
                out.ascii("Content-Length: ").decimal(contentLength).crlf();
            }
            if (chunked) {
                out.ascii("Transfer-Encoding: chunked").crlf();
            }
            for (Header h : headers) {
                if (h == connection || h.headerName().lowerCase().equals(HeaderNames.CONNECTION.lowerCase())) {
                    continue;
                }
                String name = h.name();
                if (h.valueCount() == 1) {
                    out.ascii(name).ascii(": ").ascii(h.get()).crlf();
                } else {
                    for (String v : h.allValues()) {
                        out.ascii(name).ascii(": ").ascii(v).crlf();
                    }
                }
            }
            out.crlf();
        }

        /**
         * A streamed body: chunked, or of the Content-Length set before; the head goes out with the first bytes.
         */
        private final class BodyOut extends OutputStream {
            private final long length;
            /** Chunked framing when no Content-Length was set (and the request is no HEAD). */
            private final ChunkedOutput chunks;
            private long written;
            private boolean headSent;
            private boolean closed;

            private BodyOut(long length) {
                this.length = length;
                this.chunks = length < 0 && !head ? new ChunkedOutput(out) : null;
            }

            private void head() throws IOException {
                if (!headSent) {
                    headSent = true;
                    writeHead(-1, chunks != null);
                }
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                head();
                if (len == 0 || head) {
                    return;
                }
                if (chunks != null) {
                    chunks.write(b, off, len);
                } else {
                    out.write(b, off, len);
                }
                written += len;
            }

            @Override
            public void flush() throws IOException {
                head();
                out.flush();
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                head();
                if (chunks != null) {
                    chunks.finish();
                } else if (length >= 0 && written != length && !head) {
                    // the body ended short of its Content-Length: the client can only tell by the connection closing
                    closeAfter = true;
                }
                out.flush();
            }
        }
    }
}
