package ai.universal.edge.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The proxy port's listener: one platform thread per client connection, blocking in the kernel.
 *
 * <p>Why not Helidon's listener, which the edge used before: Helidon 4 serves every connection on a virtual thread,
 * and each blocking read of a virtual thread that finds no data parks it, registers the socket with the JDK's poller
 * and is resumed by the poller on a carrier thread. Measured on 2 cores at 10k req/s, that made a proxied request
 * cost 56-61 µs of CPU in the smallest Java relay against 27 µs on platform threads, and added 1-2 ms to the p99 at
 * half of peak load (BENCHMARKS.md, edge). A platform thread blocked in {@code read} is woken by the kernel directly.
 *
 * <p>{@link ProxyConnection} serves the plain HTTP/1.1 requests (the proxy's hot path) itself. Everything else —
 * WebSocket upgrades, chunked request bodies, {@code Expect}, HTTP/1.0, and any request its strict parser does not
 * accept as it stands — is handed, from that request on, to Helidon's listener through a loopback tunnel that starts
 * with a PROXY protocol line (so the edge still sees the client's address): Helidon answers those exactly as it did
 * when it served the port itself. The tunnel's listener binds 127.0.0.1 only and is the only one that takes the
 * PROXY protocol.
 *
 * <p>At most {@code maxPlatform} connections hold a platform thread (threads are reused for new connections); more run
 * the same code on virtual threads. A connection idle between requests for {@code idleTimeout} is closed, as Helidon
 * does (5 minutes by default).
 */
final class ProxyListener implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(ProxyListener.class.getName());
    /** Connections served on platform threads at most; beyond, on virtual threads. */
    static final int MAX_PLATFORM_CONNECTIONS = 256;
    /** Helidon's own default idle connection timeout. */
    static final long IDLE_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final ServerSocket server;
    private final ProxyConnection.Handler handler;
    private final InetSocketAddress tunnel;
    private final long idleTimeoutNanos;
    private final ThreadPoolExecutor platform;
    private final Set<ProxyConnection> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Thread reaper;
    private volatile boolean closed;

    /**
     * Bind the port and start accepting.
     *
     * @param host        address to bind
     * @param port        port (0 = any free port)
     * @param tunnelPort  Helidon's internal listener (127.0.0.1, PROXY protocol) for what the connection does not serve
     * @param handler     what serves a request
     * @param maxPlatform connections on platform threads at most
     * @param idleTimeout nanoseconds a connection may wait for its next request
     * @throws IOException when the port cannot be bound
     */
    ProxyListener(String host, int port, int tunnelPort, ProxyConnection.Handler handler, int maxPlatform,
                  long idleTimeout) throws IOException {
        this.handler = handler;
        this.tunnel = new InetSocketAddress("127.0.0.1", tunnelPort);
        this.idleTimeoutNanos = idleTimeout;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port), 1024);
        AtomicLong ids = new AtomicLong();
        platform = new ThreadPoolExecutor(0, maxPlatform, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                                          r -> Thread.ofPlatform().daemon().name("edge-conn-" + ids.incrementAndGet())
                                                  .unstarted(r));
        acceptor = Thread.ofPlatform().daemon().name("edge-accept-" + server.getLocalPort()).start(this::accept);
        reaper = Thread.ofVirtual().name("edge-idle-reaper").start(this::reap);
    }

    /**
     * Bound port.
     *
     * @return port
     */
    int port() {
        return server.getLocalPort();
    }

    /**
     * Where the tunnel goes.
     *
     * @return Helidon's internal listener
     */
    InetSocketAddress tunnel() {
        return tunnel;
    }

    void closed(ProxyConnection connection) {
        open.remove(connection);
    }

    private void accept() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOGGER.log(System.Logger.Level.WARNING, "accept failed: " + e.getMessage());
                    // e.g. out of file descriptors: do not spin
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                continue;
            }
            ProxyConnection connection;
            try {
                // streamed answers (SSE) must not wait for the client's delayed ACK between small writes
                socket.setTcpNoDelay(true);
                connection = new ProxyConnection(socket, this, handler);
            } catch (IOException e) {
                closeQuietly(socket);
                continue;
            }
            open.add(connection);
            if (closed) {
                connection.close();
                break;
            }
            try {
                platform.execute(connection);
            } catch (RejectedExecutionException e) {
                Thread.ofVirtual().name("edge-conn-v").start(connection);
            }
        }
    }

    private void reap() {
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(idleTimeoutNanos / 4, TimeUnit.SECONDS.toNanos(30)));
        while (!closed) {
            LockSupport.parkNanos(tick);
            long now = System.nanoTime();
            for (ProxyConnection c : open) {
                long idleSince = c.idleSince();
                if (idleSince != 0 && now - idleSince > idleTimeoutNanos) {
                    c.close();
                }
            }
        }
    }

    /**
     * Stop accepting and close every connection.
     */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        reaper.interrupt();
        for (ProxyConnection c : open) {
            c.close();
        }
        platform.shutdownNow();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            platform.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            if (!(e instanceof SocketException || e instanceof IOException)) {
                LOGGER.log(System.Logger.Level.DEBUG, "close failed: " + e);
            }
        }
    }
}
