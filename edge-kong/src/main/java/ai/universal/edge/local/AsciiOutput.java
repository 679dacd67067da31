package ai.universal.edge.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A socket's write buffer, owned by one thread at a time (no lock): an HTTP head is put in as text, one byte per
 * character, and leaves with a small body in one write. Used for the answers to clients on the edge's own listener
 * and for the requests to services.
 */
final class AsciiOutput extends OutputStream {
    private final OutputStream socket;
    private final byte[] buf;
    private int n;

    AsciiOutput(OutputStream socket, int size) {
        this.socket = socket;
        this.buf = new byte[size];
    }

    /**
     * Append a string of header text, one byte per character: ISO-8859-1, where a character beyond it becomes
     * {@code ?} (as {@code String.getBytes(ISO_8859_1)} writes it).
     *
     * @param s text
     * @return this
     * @throws IOException when the buffer had to be written and that failed
     */
    AsciiOutput ascii(String s) throws IOException {
        int len = s.length();
        if (n + len > buf.length) {
            flush();
            if (len > buf.length) {
                write(s.getBytes(StandardCharsets.ISO_8859_1), 0, len);
                return this;
            }
        }
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            buf[n++] = c <= 0xFF ? (byte) c : (byte) '?';
        }
        return this;
    }

    /**
     * Append a number in decimal, without making a string of it.
     *
     * @param value a number, at least 0
     * @return this
     * @throws IOException when the buffer had to be written and that failed
     */
    AsciiOutput decimal(long value) throws IOException {
        if (value < 0) {
            throw new IllegalArgumentException("negative: " + value);
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        if (n + digits > buf.length) {
            flush();
            if (digits > buf.length) {
                return ascii(Long.toString(value));
            }
        }
        for (int i = n + digits - 1; i >= n; i--) {
            buf[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        n += digits;
        return this;
    }

    /**
     * Append a line end.
     *
     * @return this
     * @throws IOException when the buffer had to be written and that failed
     */
    AsciiOutput crlf() throws IOException {
        return ascii("\r\n");
    }

    @Override
    public void write(int b) throws IOException {
        if (n == buf.length) {
            flush();
        }
        buf[n++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - n) {
            flush();
            if (len > buf.length) {
                socket.write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, n, len);
        n += len;
    }

    @Override
    public void flush() throws IOException {
        if (n == 0) {
            return;
        }
        int len = n;
        n = 0;
        socket.write(buf, 0, len);
    }
}
