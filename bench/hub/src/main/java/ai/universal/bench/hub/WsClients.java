package ai.universal.bench.hub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The load driver's WebSocket client side: non-blocking sockets spread over a few selector threads, server frames parsed
 * in place from one read buffer per thread, and a frame's arrival time taken right after the read that brought it in.
 * The JDK's HttpClient WebSocket it replaces handed every message to its executor, and the driver parsed each one as
 * JSON: with 10,000 connections on 2 cores that driver work was part of the measured latency, for both targets.
 * <p>
 * Speaks RFC 6455 as a client needs to for the benchmark: the upgrade request (optionally with a bearer token), masked
 * text frames out, text frames in (fragments joined), pings answered, a close frame ends the connection.
 */
final class WsClients implements AutoCloseable {
    private static final int READ_BUFFER = 256 * 1024;

    private final Loop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    /** Receives a complete text message; {@code arrivedNanos} is when the read that completed it returned. */
    interface TextHandler {
        void onText(Conn conn, byte[] bytes, int offset, int length, long arrivedNanos);
    }

    WsClients(int threads) {
        loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop("ws-client-" + i);
            loops[i].thread.start();
        }
    }

    /**
     * Connect, upgrade, and (when {@code channel} is set) subscribe.
     *
     * @param uri     ws:// URI
     * @param token   bearer token or null
     * @param channel channel to subscribe to, or null
     * @param handler what receives the text messages once ready
     * @return completes when subscribed (or upgraded, without a channel); fails on an error frame or a close
     */
    CompletableFuture<Conn> open(URI uri, String token, String channel, TextHandler handler) {
        Loop loop = loops[Math.floorMod(next.getAndIncrement(), loops.length)];
        Conn conn = new Conn(loop, uri, token, channel, handler);
        try {
            conn.channel = SocketChannel.open();
            conn.channel.configureBlocking(false);
            conn.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            conn.channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
        } catch (IOException e) {
            conn.fail(e);
            return conn.ready;
        }
        loop.pending.add(conn);
        loop.selector.wakeup();
        return conn.ready;
    }

    @Override
    public void close() {
        for (Loop loop : loops) {
            loop.closed = true;
            loop.selector.wakeup();
            try {
                loop.thread.join(2000);
                loop.selector.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** One client connection. */
    static final class Conn {
        private final Loop loop;
        private final URI uri;
        private final String token;
        private final String subscribeTo;
        private final CompletableFuture<Conn> ready = new CompletableFuture<>();
        private final ReentrantLock writeLock = new ReentrantLock();
        private volatile TextHandler handler;
        private SocketChannel channel;
        private boolean upgraded;
        private byte[] leftover;
        private ByteArrayOutputStream fragments;

        private Conn(Loop loop, URI uri, String token, String subscribeTo, TextHandler handler) {
            this.loop = loop;
            this.uri = uri;
            this.token = token;
            this.subscribeTo = subscribeTo;
            this.handler = handler;
        }

        void handler(TextHandler handler) {
            this.handler = handler;
        }

        boolean ready() {
            return ready.isDone();
        }

        /**
         * Send a text frame (blocks, spinning, while the socket's send buffer is full).
         *
         * @param text frame text
         */
        void send(String text) {
            write(frame(0x1, text.getBytes(StandardCharsets.UTF_8)));
        }

        /** Cut the connection without a close handshake. */
        void abort() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // gone either way
            }
        }

        private void fail(Throwable t) {
            ready.completeExceptionally(t);
            abort();
        }

        private void write(ByteBuffer frame) {
            writeLock.lock();
            try {
                while (frame.hasRemaining()) {
                    if (channel.write(frame) == 0) {
                        LockSupport.parkNanos(50_000);
                    }
                }
            } catch (IOException e) {
                fail(e);
            } finally {
                writeLock.unlock();
            }
        }

        private void upgrade() {
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
            write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        }

        private void upgraded() {
            upgraded = true;
            if (subscribeTo == null) {
                ready.complete(this);
            } else {
                send("{\"id\":0,\"type\":\"subscribe\",\"channel\":\"" + subscribeTo + "\"}");
            }
        }

        private void text(byte[] bytes, int offset, int length, long now) {
            if (ready.isDone()) {
                handler.onText(this, bytes, offset, length, now);
                return;
            }
            String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
            if (text.contains("\"type\":\"ok\"")) {
                ready.complete(this);
            } else if (text.contains("\"type\":\"error\"")) {
                fail(new IllegalStateException(text));
            }
        }

        private static ByteBuffer frame(int opcode, byte[] payload) {
            int len = payload.length;
            ByteBuffer b = ByteBuffer.allocate(2 + (len < 126 ? 0 : len < 65536 ? 2 : 8) + 4 + len);
            b.put((byte) (0x80 | opcode));
            if (len < 126) {
                b.put((byte) (0x80 | len));
            } else if (len < 65536) {
                b.put((byte) (0x80 | 126));
                b.putShort((short) len);
            } else {
                b.put((byte) (0x80 | 127));
                b.putLong(len);
            }
            int mask = ThreadLocalRandom.current().nextInt();
            b.putInt(mask);
            for (int i = 0; i < len; i++) {
                b.put((byte) (payload[i] ^ (mask >>> (24 - 8 * (i & 3)))));
            }
            return b.flip();
        }
    }

    /** A selector thread and the connections registered on it. */
    private static final class Loop implements Runnable {
        private final Selector selector;
        private final Thread thread;
        private final Queue<Conn> pending = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
        private volatile boolean closed;

        private Loop(String name) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            thread = Thread.ofPlatform().daemon().name(name).unstarted(this);
        }

        @Override
        public void run() {
            while (!closed) {
                try {
                    selector.select();
                } catch (IOException e) {
                    return;
                }
                Conn added;
                while ((added = pending.poll()) != null) {
                    try {
                        added.channel.register(selector, SelectionKey.OP_CONNECT, added);
                    } catch (IOException | RuntimeException e) {
                        added.fail(e);
                    }
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Conn conn = (Conn) key.attachment();
                    try {
                        if (key.isValid() && key.isConnectable()) {
                            conn.channel.finishConnect();
                            key.interestOps(SelectionKey.OP_READ);
                            conn.upgrade();
                        } else if (key.isValid() && key.isReadable()) {
                            read(conn);
                        }
                    } catch (IOException | RuntimeException e) {
                        key.cancel();
                        conn.fail(e);
                    }
                }
            }
        }

        private void read(Conn conn) throws IOException {
            buffer.clear();
            if (conn.leftover != null) {
                buffer.put(conn.leftover);
                conn.leftover = null;
            }
            int n = conn.channel.read(buffer);
            long now = System.nanoTime();
            if (n < 0) {
                throw new IOException("closed by the server");
            }
            byte[] bytes = buffer.array();
            int pos = 0;
            int end = buffer.position();
            if (!conn.upgraded) {
                int head = headerEnd(bytes, end);
                if (head < 0) {
                    keep(conn, bytes, 0, end);
                    return;
                }
                String status = new String(bytes, 0, Math.min(head, 64), StandardCharsets.US_ASCII);
                if (!status.startsWith("HTTP/1.1 101")) {
                    throw new IOException("upgrade refused: " + status.lines().findFirst().orElse(""));
                }
                pos = head;
                conn.upgraded();
            }
            while (end - pos >= 2) {
                int b0 = bytes[pos] & 0xFF;
                int b1 = bytes[pos + 1] & 0x7F;
                int header = 2;
                long length = b1;
                if (b1 == 126) {
                    if (end - pos < 4) {
                        break;
                    }
                    length = ((bytes[pos + 2] & 0xFF) << 8) | (bytes[pos + 3] & 0xFF);
                    header = 4;
                } else if (b1 == 127) {
                    if (end - pos < 10) {
                        break;
                    }
                    length = ByteBuffer.wrap(bytes, pos + 2, 8).getLong();
                    header = 10;
                }
                if (header + length > READ_BUFFER) {
                    throw new IOException("frame of " + length + " bytes exceeds the driver's read buffer");
                }
                if (end - pos < header + length) {
                    break;
                }
                frame(conn, b0, bytes, pos + header, (int) length, now);
                pos += header + (int) length;
            }
            if (pos < end) {
                keep(conn, bytes, pos, end);
            }
        }

        private static void keep(Conn conn, byte[] bytes, int from, int to) {
            byte[] rest = new byte[to - from];
            System.arraycopy(bytes, from, rest, 0, rest.length);
            conn.leftover = rest;
        }

        private static void frame(Conn conn, int b0, byte[] bytes, int offset, int length, long now) {
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            switch (opcode) {
            case 0x0, 0x1 -> {
                if (fin && conn.fragments == null) {
                    conn.text(bytes, offset, length, now);
                    return;
                }
                if (conn.fragments == null) {
                    conn.fragments = new ByteArrayOutputStream();
                }
                conn.fragments.write(bytes, offset, length);
                if (fin) {
                    byte[] whole = conn.fragments.toByteArray();
                    conn.fragments = null;
                    conn.text(whole, 0, whole.length, now);
                }
            }
            case 0x9 -> {
                byte[] payload = new byte[length];
                System.arraycopy(bytes, offset, payload, 0, length);
                conn.write(Conn.frame(0xA, payload));
            }
            case 0x8 -> {
                int code = length >= 2 ? ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF) : 1005;
                String reason = length > 2 ? new String(bytes, offset + 2, length - 2, StandardCharsets.UTF_8) : "";
                conn.fail(new IllegalStateException("closed " + code + " " + reason));
            }
            default -> {
                // pong, binary: not part of what the driver measures
            }
            }
        }

        private static int headerEnd(byte[] bytes, int end) {
            for (int i = 3; i < end; i++) {
                if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                    return i + 1;
                }
            }
            return -1;
        }
    }
}
