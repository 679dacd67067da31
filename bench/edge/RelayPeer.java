import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A measuring peer for bench/edge/run.sh (RELAY_PEERS=1), not a proxy to use: the smallest keep-alive HTTP/1.1
 * relay in Java, each client connection with its own upstream connection. Modes: one thread per client connection,
 * on platform threads or on virtual threads, or {@code loop}: nginx's model, one event loop (a selector thread) per
 * core with non-blocking sockets, each loop serving every connection that is ready when it wakes. It relays bodiless
 * requests and Content-Length answers and nothing else (no routing, no plugins, no header handling), so the three
 * modes differ only in how threads wait on the sockets.
 *
 * <pre>java bench/edge/RelayPeer.java PORT UPSTREAM_PORT platform|virtual|loop</pre>
 */
public final class RelayPeer {
    private static final int MAX_HEAD = 16 * 1024;

    private RelayPeer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        if ("loop".equals(args[2])) {
            loops(port, upstream);
            return;
        }
        boolean virtual = "virtual".equals(args[2]);
        try (ServerSocket server = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress())) {
            while (true) {
                Socket client = server.accept();
                Runnable relay = () -> relay(client, upstream);
                if (virtual) {
                    Thread.ofVirtual().start(relay);
                } else {
                    Thread.ofPlatform().daemon().start(relay);
                }
            }
        }
    }

    private static void relay(Socket client, int upstreamPort) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            InputStream clientIn = new BufferedInputStream(client.getInputStream(), MAX_HEAD);
            OutputStream clientOut = client.getOutputStream();
            InputStream upstreamIn = new BufferedInputStream(upstream.getInputStream(), MAX_HEAD);
            OutputStream upstreamOut = upstream.getOutputStream();
            byte[] head = new byte[MAX_HEAD];
            while (true) {
                int requestHead = readHead(clientIn, head);
                if (requestHead < 0) {
                    return;
                }
                upstreamOut.write(head, 0, requestHead);
                upstreamOut.flush();
                int responseHead = readHead(upstreamIn, head);
                if (responseHead < 0) {
                    return;
                }
                int length = contentLength(new String(head, 0, responseHead, StandardCharsets.ISO_8859_1));
                byte[] response = new byte[responseHead + length];
                System.arraycopy(head, 0, response, 0, responseHead);
                upstreamIn.readNBytes(response, responseHead, length);
                clientOut.write(response);
                clientOut.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the client or the upstream went away: this connection is done
        }
    }

    /** Event loops: connections are handed to the loops in turn; each loop owns its connections' state. */
    private static void loops(int port, int upstreamPort) throws IOException {
        Loop[] loops = new Loop[Runtime.getRuntime().availableProcessors()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Loop(upstreamPort);
            Thread.ofPlatform().name("loop-" + i).start(loops[i]);
        }
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
            for (int n = 0; ; n++) {
                loops[n % loops.length].add(server.accept());
            }
        }
    }

    private static final class Loop implements Runnable {
        private final Selector selector;
        private final ConcurrentLinkedQueue<SocketChannel> accepted = new ConcurrentLinkedQueue<>();
        private final int upstreamPort;

        Loop(int upstreamPort) throws IOException {
            this.selector = Selector.open();
            this.upstreamPort = upstreamPort;
        }

        void add(SocketChannel client) {
            accepted.add(client);
            selector.wakeup();
        }

        @Override
        public void run() {
            while (true) {
                try {
                    selector.select();
                    for (SocketChannel client; (client = accepted.poll()) != null; ) {
                        Pair pair = null;
                        try {
                            pair = new Pair(client, SocketChannel.open(
                                    new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort)));
                            pair.register(selector);
                        } catch (IOException e) {
                            client.close();
                            if (pair != null) {
                                pair.close();
                            }
                        }
                    }
                    Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                    while (ready.hasNext()) {
                        SelectionKey key = ready.next();
                        ready.remove();
                        Pair pair = (Pair) key.attachment();
                        try {
                            if (key.channel() == pair.client) {
                                pair.fromClient();
                            } else {
                                pair.fromUpstream();
                            }
                        } catch (IOException | RuntimeException e) {
                            pair.close();
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** A client connection and its upstream connection, each with the bytes read so far of the message in flight. */
    private static final class Pair {
        private final SocketChannel client;
        private final SocketChannel upstream;
        private final ByteBuffer request = ByteBuffer.allocateDirect(MAX_HEAD);
        private final ByteBuffer response = ByteBuffer.allocateDirect(MAX_HEAD);

        Pair(SocketChannel client, SocketChannel upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void register(Selector selector) throws IOException {
            for (SocketChannel channel : new SocketChannel[] {client, upstream}) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, this);
            }
        }

        /** A whole request head read: to the service. (Small writes on loopback complete at once.) */
        void fromClient() throws IOException {
            if (client.read(request) < 0) {
                close();
                return;
            }
            if (headEnd(request) < 0) {
                return;
            }
            request.flip();
            while (request.hasRemaining()) {
                upstream.write(request);
            }
            request.clear();
        }

        /** A whole answer read (head and Content-Length body): to the client. */
        void fromUpstream() throws IOException {
            if (upstream.read(response) < 0) {
                close();
                return;
            }
            int end = headEnd(response);
            if (end < 0) {
                return;
            }
            byte[] head = new byte[end];
            response.get(0, head);
            if (response.position() < end + contentLength(new String(head, StandardCharsets.ISO_8859_1))) {
                return;
            }
            response.flip();
            while (response.hasRemaining()) {
                client.write(response);
            }
            response.clear();
        }

        void close() {
            for (SocketChannel channel : new SocketChannel[] {client, upstream}) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }

        /** Index after the blank line that ends a head in {@code buffer[0, position)}, or -1. */
        private static int headEnd(ByteBuffer buffer) {
            for (int i = 3; i < buffer.position(); i++) {
                if (buffer.get(i) == '\n' && buffer.get(i - 1) == '\r' && buffer.get(i - 2) == '\n'
                        && buffer.get(i - 3) == '\r') {
                    return i + 1;
                }
            }
            return -1;
        }
    }

    private static int contentLength(String head) {
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("\r\ncontent-length:");
        if (at < 0) {
            throw new IllegalStateException("RelayPeer relays Content-Length answers only");
        }
        int from = at + "\r\ncontent-length:".length();
        return Integer.parseInt(head.substring(from, head.indexOf('\r', from)).trim());
    }

    /** Reads up to and including the blank line that ends a head; -1 at the end of the stream. */
    private static int readHead(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (n < buf.length) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            buf[n++] = (byte) b;
            if (n >= 4 && buf[n - 1] == '\n' && buf[n - 2] == '\r' && buf[n - 3] == '\n' && buf[n - 4] == '\r') {
                return n;
            }
        }
        throw new IllegalStateException("head over " + buf.length + " bytes");
    }
}
