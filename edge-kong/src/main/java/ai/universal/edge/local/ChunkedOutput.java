package ai.universal.edge.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 chunked framing over a stream (request bodies to services, answers to clients): each write is one chunk,
 * {@link #finish()} writes the last chunk; closing this stream leaves the one below open.
 */
final class ChunkedOutput extends OutputStream {
    private final OutputStream out;
    private boolean finished;

    ChunkedOutput(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(b, off, len);
        out.write('\r');
        out.write('\n');
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /**
     * Write the last chunk (no trailers), once.
     *
     * @throws IOException when the stream below fails
     */
    void finish() throws IOException {
        if (!finished) {
            finished = true;
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Override
    public void close() {
        // finish() ends the body
    }
}
