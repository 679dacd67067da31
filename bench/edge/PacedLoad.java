import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate (open-loop) HTTP/1.1 load with keep-alive, for the latency at a given load — what wrk2 does, which is not
 * packaged in Debian. CONNS connections each send on their own fixed schedule (together RATE requests per second,
 * staggered); a connection that falls behind sends at once. One thread drives them all through one selector. Latency is measured from the request's scheduled time
 * (so a stall counts against every request it delayed, no coordinated omission) and, for reference, from the moment
 * it was written. Prints one line: achieved req/s, p50/p90/p99/p99.9 from schedule, p50/p99 from write (ms), errors.
 *
 * <pre>java bench/edge/PacedLoad.java URL RATE SECONDS [CONNS] [WARMUP_SECONDS] ["Header: value"...]</pre>
 */
public final class PacedLoad {
    private static final long EARLY = 250_000L;

    private PacedLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PacedLoad URL RATE SECONDS [CONNS] [WARMUP_SECONDS] [\"Header: value\"...]");
            System.exit(2);
        }
        URI uri = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int conns = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 3;
        StringBuilder head = new StringBuilder();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        head.append("GET ").append(path).append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                .append(" HTTP/1.1\r\nHost: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        for (int i = 5; i < args.length; i++) {
            head.append(args[i]).append("\r\n");
        }
        head.append("\r\n");
        byte[] request = head.toString().getBytes(StandardCharsets.ISO_8859_1);

        long interval = (long) (conns * 1e9 / rate);
        long start = System.nanoTime() + 200_000_000L;
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        Conn[] all = new Conn[conns];
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < conns; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
                channel.configureBlocking(false);
                all[i] = new Conn(channel, request, start + i * interval / conns, interval, measureFrom);
                channel.register(selector, SelectionKey.OP_READ, all[i]);
            }
            drive(selector, all, end);
        }
        List<long[]> fromSchedule = new ArrayList<>();
        List<long[]> fromWrite = new ArrayList<>();
        long errors = 0;
        long count = 0;
        for (Conn c : all) {
            fromSchedule.add(Arrays.copyOf(c.corrected, c.n));
            fromWrite.add(Arrays.copyOf(c.service, c.n));
            errors += c.errors;
            count += c.n;
        }
        long[] corrected = merge(fromSchedule);
        long[] service = merge(fromWrite);
        System.out.printf(Locale.ROOT, "%.1f %.3f %.3f %.3f %.3f %.3f %.3f %d%n", count / seconds,
                          pct(corrected, 50), pct(corrected, 90), pct(corrected, 99), pct(corrected, 99.9),
                          pct(service, 50), pct(service, 99), errors);
    }

    /**
     * One thread drives every connection (one selector, like wrk's event loop): it sends each connection's requests
     * on their schedule, reads the answers as they come, and sleeps until the next send is due. The earlier design, a
     * platform thread per connection parking until its next send, cost about 48 µs of CPU per request (wrk: 9 µs) in
     * thread wake-ups, which at half of a proxy's peak left the proxy too little of the 2 cores.
     */
    private static void drive(Selector selector, Conn[] all, long end) throws IOException {
        // requests due within EARLY of now go together (one wake-up for a few sends); one sent early is measured from
        // its write, never from before it
        int active = all.length;
        long lastProgress = System.nanoTime();
        while (active > 0) {
            long now = System.nanoTime();
            long nextDue = Long.MAX_VALUE;
            active = 0;
            for (Conn c : all) {
                if (c.waiting) {
                    active++;
                    continue;
                }
                long scheduled = c.first + c.k * c.interval;
                if (scheduled >= end) {
                    continue;
                }
                active++;
                if (scheduled <= now + EARLY) {
                    c.send(scheduled);
                } else {
                    nextDue = Math.min(nextDue, scheduled);
                }
            }
            if (active == 0) {
                return;
            }
            long wait = nextDue - EARLY - System.nanoTime();
            int ready;
            if (wait >= 1_000_000L) {
                ready = selector.select(wait / 1_000_000L);
            } else if (wait > 0) {
                ready = selector.selectNow();
                if (ready == 0) {
                    LockSupport.parkNanos(wait);
                    ready = selector.selectNow();
                }
            } else {
                ready = selector.selectNow();
            }
            if (ready > 0) {
                lastProgress = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    ((Conn) key.attachment()).read();
                }
                selector.selectedKeys().clear();
            } else if (nextDue == Long.MAX_VALUE && System.nanoTime() - lastProgress > 30_000_000_000L) {
                throw new IOException("no answer for 30 s");
            }
        }
    }

    private static long[] merge(List<long[]> parts) {
        long[] all = new long[parts.stream().mapToInt(a -> a.length).sum()];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        Arrays.sort(all);
        return all;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    /** A keep-alive connection with at most one request in flight, sent on its own schedule. */
    private static final class Conn {
        private final SocketChannel channel;
        private final ByteBuffer request;
        private final long first;
        private final long interval;
        private final long measureFrom;
        private final byte[] buf = new byte[64 * 1024];
        private final ByteBuffer in = ByteBuffer.wrap(buf);
        private long[] corrected = new long[1024];
        private long[] service = new long[1024];
        private int n;
        private long errors;
        private long k;
        private boolean waiting;
        private long scheduled;
        private long written;
        private int pos;
        private int limit;

        Conn(SocketChannel channel, byte[] request, long first, long interval, long measureFrom) {
            this.channel = channel;
            this.request = ByteBuffer.wrap(request);
            this.first = first;
            this.interval = interval;
            this.measureFrom = measureFrom;
        }

        void send(long scheduledAt) throws IOException {
            scheduled = scheduledAt;
            written = System.nanoTime();
            request.clear();
            while (request.hasRemaining()) {
                // a small request on an idle keep-alive connection: the socket buffer always takes it at once
                channel.write(request);
            }
            waiting = true;
        }

        void read() throws IOException {
            in.limit(buf.length).position(limit);
            int r = channel.read(in);
            if (r < 0) {
                throw new IOException("connection closed by the server");
            }
            limit += r;
            int status;
            while (waiting && (status = parse()) > 0) {
                long done = System.nanoTime();
                if (scheduled >= measureFrom) {
                    if (n == corrected.length) {
                        corrected = Arrays.copyOf(corrected, n * 2);
                        service = Arrays.copyOf(service, n * 2);
                    }
                    corrected[n] = done - Math.min(scheduled, written);
                    service[n] = done - written;
                    n++;
                    if (status < 200 || status >= 300) {
                        errors++;
                    }
                }
                waiting = false;
                k++;
            }
            if (pos == limit) {
                pos = 0;
                limit = 0;
            } else if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            }
            if (limit == buf.length) {
                throw new IOException("response head too large");
            }
        }

        /** One whole response with a Content-Length body in the buffer: consume it and return its status; else 0. */
        private int parse() throws IOException {
            int headEnd = -1;
            for (int i = pos; i + 3 < limit; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    headEnd = i;
                    break;
                }
            }
            if (headEnd < 0) {
                return 0;
            }
            String head = new String(buf, pos, headEnd - pos, StandardCharsets.ISO_8859_1);
            long length = -1;
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String name = line.substring(0, colon).trim();
                    if (name.equalsIgnoreCase("Content-Length")) {
                        length = Long.parseLong(line.substring(colon + 1).trim());
                    } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                        throw new IOException("chunked responses are not supported by this driver");
                    }
                }
            }
            if (length < 0) {
                throw new IOException("response without Content-Length: " + head);
            }
            if (headEnd + 4 + length > limit) {
                return 0;
            }
            pos = (int) (headEnd + 4 + length);
            return Integer.parseInt(head.substring(9, 12));
        }
    }
}
