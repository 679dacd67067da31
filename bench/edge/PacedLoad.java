import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate (open-loop) HTTP/1.1 load with keep-alive, for the latency at a given load — what wrk2 does, which is not
 * packaged in Debian. CONNS connections each send on their own fixed schedule (together RATE requests per second,
 * staggered); a connection that falls behind sends at once. Latency is measured from the request's scheduled time
 * (so a stall counts against every request it delayed, no coordinated omission) and, for reference, from the moment
 * it was written. Prints one line: achieved req/s, p50/p90/p99/p99.9 from schedule, p50/p99 from write (ms), errors.
 *
 * <pre>java bench/edge/PacedLoad.java URL RATE SECONDS [CONNS] [WARMUP_SECONDS] ["Header: value"...]</pre>
 */
public final class PacedLoad {
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
        Worker[] workers = new Worker[conns];
        Thread[] threads = new Thread[conns];
        for (int i = 0; i < conns; i++) {
            workers[i] = new Worker(uri.getHost(), uri.getPort(), request, start + i * interval / conns, interval,
                                    measureFrom, end);
            threads[i] = Thread.ofPlatform().name("paced-" + i).start(workers[i]);
        }
        List<long[]> fromSchedule = new ArrayList<>();
        List<long[]> fromWrite = new ArrayList<>();
        long errors = 0;
        long count = 0;
        for (int i = 0; i < conns; i++) {
            threads[i].join();
            if (workers[i].failure != null) {
                System.err.println("connection " + i + " failed: " + workers[i].failure);
                System.exit(1);
            }
            fromSchedule.add(Arrays.copyOf(workers[i].corrected, workers[i].n));
            fromWrite.add(Arrays.copyOf(workers[i].service, workers[i].n));
            errors += workers[i].errors;
            count += workers[i].n;
        }
        long[] corrected = merge(fromSchedule);
        long[] service = merge(fromWrite);
        System.out.printf(Locale.ROOT, "%.1f %.3f %.3f %.3f %.3f %.3f %.3f %d%n", count / seconds,
                          pct(corrected, 50), pct(corrected, 90), pct(corrected, 99), pct(corrected, 99.9),
                          pct(service, 50), pct(service, 99), errors);
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

    private static final class Worker implements Runnable {
        private final String host;
        private final int port;
        private final byte[] request;
        private final long first;
        private final long interval;
        private final long measureFrom;
        private final long end;
        private final byte[] buf = new byte[64 * 1024];
        private long[] corrected = new long[1024];
        private long[] service = new long[1024];
        private int n;
        private long errors;
        private Exception failure;
        private int pos;
        private int limit;

        Worker(String host, int port, byte[] request, long first, long interval, long measureFrom, long end) {
            this.host = host;
            this.port = port;
            this.request = request;
            this.first = first;
            this.interval = interval;
            this.measureFrom = measureFrom;
            this.end = end;
        }

        @Override
        public void run() {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), 5000);
                socket.setSoTimeout(30_000);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (long k = 0; ; k++) {
                    long scheduled = first + k * interval;
                    if (scheduled >= end) {
                        return;
                    }
                    long wait;
                    while ((wait = scheduled - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    long written = System.nanoTime();
                    out.write(request);
                    out.flush();
                    int status = readResponse(in);
                    long done = System.nanoTime();
                    if (scheduled >= measureFrom) {
                        if (n == corrected.length) {
                            corrected = Arrays.copyOf(corrected, n * 2);
                            service = Arrays.copyOf(service, n * 2);
                        }
                        corrected[n] = done - scheduled;
                        service[n] = done - written;
                        n++;
                        if (status < 200 || status >= 300) {
                            errors++;
                        }
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        /** Reads one response with a Content-Length body; returns its status. */
        private int readResponse(InputStream in) throws IOException {
            int headEnd;
            while ((headEnd = find()) < 0) {
                fill(in);
            }
            String head = new String(buf, pos, headEnd - pos, StandardCharsets.ISO_8859_1);
            pos = headEnd + 4;
            int status = Integer.parseInt(head.substring(9, 12));
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
            while (length > 0) {
                if (pos >= limit) {
                    fill(in);
                }
                int take = (int) Math.min(length, limit - pos);
                pos += take;
                length -= take;
            }
            return status;
        }

        private int find() {
            for (int i = pos; i + 3 < limit; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private void fill(InputStream in) throws IOException {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            }
            if (limit == buf.length) {
                throw new IOException("response head too large");
            }
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) {
                throw new IOException("connection closed by the server");
            }
            limit += r;
        }
    }
}
