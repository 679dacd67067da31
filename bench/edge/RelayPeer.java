import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A measuring peer for bench/edge/threads.sh, not a proxy to use: the smallest keep-alive HTTP/1.1 relay in Java,
 * one thread per client connection with its own upstream connection, on platform threads or on virtual threads.
 * It relays bodiless requests and Content-Length answers and nothing else (no routing, no plugins, no header
 * handling), so the two modes differ only in the threads that block on the sockets.
 *
 * <pre>java bench/edge/RelayPeer.java PORT UPSTREAM_PORT platform|virtual</pre>
 */
public final class RelayPeer {
    private static final int MAX_HEAD = 16 * 1024;

    private RelayPeer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
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
