package ai.universal.hub;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket, for what java.net.http's client does not let a test do: it never answers a
 * ping on its own (a peer that stopped responding), and it shows every frame the server sends, control frames
 * included. Upgrade with a bearer token, read frames one at a time with a deadline, send a pong on request.
 */
final class RawSocket implements AutoCloseable {
    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /**
     * One frame from the server.
     *
     * @param opcode  opcode
     * @param payload payload
     */
    record Frame(int opcode, byte[] payload) {
        /**
         * The status code of a close frame.
         *
         * @return code, or -1 when the close frame carries none
         */
        int closeCode() {
            return payload.length < 2 ? -1 : (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        }

        String closeReason() {
            return payload.length < 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private RawSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Open and upgrade.
     *
     * @param url   ws:// URL
     * @param token bearer token
     * @return the upgraded socket
     */
    static RawSocket connect(String url, String token) {
        URI uri = URI.create(url);
        try {
            Socket s = new Socket(uri.getHost(), uri.getPort());
            s.setSoTimeout((int) HubClient.WAIT.toMillis());
            RawSocket raw = new RawSocket(s);
            String key = Base64.getEncoder().encodeToString("raw-socket-test!".getBytes(StandardCharsets.US_ASCII));
            String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n";
            raw.out.write(request.getBytes(StandardCharsets.US_ASCII));
            raw.out.flush();
            String status = raw.readHeaders();
            if (!status.startsWith("HTTP/1.1 101")) {
                s.close();
                throw new IllegalStateException("upgrade refused: " + status);
            }
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The next frame, waiting at most {@code wait}.
     *
     * @param wait deadline
     * @return frame, or null when the server closed the socket without one
     * @throws IllegalStateException when nothing arrives in time
     */
    Frame next(Duration wait) {
        try {
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(b0 & 0x0F, payload);
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("no frame within " + wait, e);
        } catch (EOFException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Send a masked control or text frame.
     *
     * @param opcode  opcode
     * @param payload payload (≤ 125 bytes)
     */
    void send(int opcode, byte[] payload) {
        byte[] mask = {1, 2, 3, 4};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        frame.write(0x80 | payload.length);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        try {
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHeaders() throws IOException {
        InputStream stream = in;
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = stream.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        return head.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
