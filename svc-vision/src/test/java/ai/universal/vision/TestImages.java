package ai.universal.vision;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

/** Images with known answers, drawn with OpenCV, plus hostile files built byte by byte. */
final class TestImages {

    private TestImages() {
    }

    /** A solid BGR image. */
    static Mat solid(int width, int height, int b, int g, int r) {
        return new Mat(height, width, CV_8UC3, new Scalar(b, g, r, 0));
    }

    /** Black with a white filled rectangle. */
    static Mat rectangleOnBlack(int width, int height, int x, int y, int w, int h) {
        Mat m = solid(width, height, 0, 0, 0);
        rectangle(m, new Point(x, y), new Point(x + w - 1, y + h - 1), new Scalar(255, 255, 255, 0), FILLED, 8, 0);
        return m;
    }

    /** Black and white squares of {@code cell} pixels, white top-left. */
    static Mat checkerboard(int width, int height, int cell) {
        Mat m = solid(width, height, 0, 0, 0);
        for (int y = 0; y < height; y += cell) {
            for (int x = 0; x < width; x += cell) {
                if (((x / cell) + (y / cell)) % 2 == 0) {
                    rectangle(m, new Point(x, y), new Point(Math.min(width, x + cell) - 1, Math.min(height, y + cell) - 1),
                              new Scalar(255, 255, 255, 0), FILLED, 8, 0);
                }
            }
        }
        return m;
    }

    /** Grey with a red block in the top-left quarter corner region (an asymmetric marker). */
    static Mat markerTopLeft(int width, int height) {
        Mat m = solid(width, height, 128, 128, 128);
        rectangle(m, new Point(0, 0), new Point(width / 4 - 1, height / 4 - 1), new Scalar(0, 0, 255, 0), FILLED, 8, 0);
        return m;
    }

    /** Left half red, right half blue. */
    static Mat redBlue(int width, int height) {
        Mat m = solid(width, height, 255, 0, 0);
        rectangle(m, new Point(0, 0), new Point(width / 2 - 1, height - 1), new Scalar(0, 0, 255, 0), FILLED, 8, 0);
        return m;
    }

    /** A smooth pseudo-photo: gradients and a few shapes (deterministic). */
    static Mat scene(int width, int height, int seed) {
        Mat m = new Mat(height, width, CV_8UC3);
        try (UByteIndexer px = m.createIndexer()) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    px.put(y, x, 0, (x * 255 / width + seed * 40) & 0xFF);
                    px.put(y, x, 1, (y * 255 / height) & 0xFF);
                    px.put(y, x, 2, ((x + y) * 255 / (width + height) + seed * 90) & 0xFF);
                }
            }
        }
        rectangle(m, new Point(width / 5 + seed * 7, height / 3), new Point(width / 2, height * 2 / 3),
                  new Scalar(20, 200, 30 + seed * 50, 0), FILLED, 8, 0);
        return m;
    }

    /** A BGRA image: opaque blue left half, fully transparent right half. */
    static Mat halfTransparent(int width, int height) {
        Mat m = new Mat(height, width, CV_8UC4, new Scalar(0, 0, 0, 0));
        rectangle(m, new Point(0, 0), new Point(width / 2 - 1, height - 1), new Scalar(255, 0, 0, 255), FILLED, 8, 0);
        return m;
    }

    static byte[] png(Mat m) {
        return encode(m, ".png", new int[0]);
    }

    static byte[] jpeg(Mat m, int quality) {
        return encode(m, ".jpg", new int[] {IMWRITE_JPEG_QUALITY, quality});
    }

    static byte[] webp(Mat m) {
        return encode(m, ".webp", new int[0]);
    }

    static byte[] encode(Mat m, String ext, int[] params) {
        try (BytePointer out = new BytePointer(); IntPointer p = new IntPointer(params)) {
            if (!imencode(ext, m, out, p)) {
                throw new IllegalStateException("encode " + ext);
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    /** Decode with OpenCV as a client would (colour, EXIF orientation applied by OpenCV). */
    static Mat decode(byte[] data) {
        return imdecode(new Mat(new BytePointer(data)), IMREAD_COLOR);
    }

    /** Decode keeping channels. */
    static Mat decodeUnchanged(byte[] data) {
        return imdecode(new Mat(new BytePointer(data)), IMREAD_UNCHANGED);
    }

    /** The BGR pixel at x, y (grey images repeat the value). */
    static int[] pixel(Mat m, int x, int y) {
        try (UByteIndexer px = m.createIndexer()) {
            if (m.channels() == 1) {
                int v = px.get(y, x);
                return new int[] {v, v, v};
            }
            int[] out = new int[m.channels()];
            for (int c = 0; c < m.channels(); c++) {
                out[c] = px.get(y, x, c);
            }
            return out;
        }
    }

    /** Whether a BGR pixel is near a colour. */
    static boolean near(int[] bgr, int b, int g, int r, int tolerance) {
        return Math.abs(bgr[0] - b) <= tolerance && Math.abs(bgr[1] - g) <= tolerance && Math.abs(bgr[2] - r) <= tolerance;
    }

    /** A JPEG with an EXIF APP1 segment carrying an orientation (big-endian TIFF), inserted after SOI. */
    static byte[] withOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) 1)
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0)
                .putInt(0);
        byte[] exif = tiff.array();
        int length = 2 + 6 + exif.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(exif);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A PNG whose IHDR declares width × height but whose data is a few bytes: a decompression bomb's header. */
    static byte[] pngDeclaring(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A baseline JPEG header declaring width × height with no usable data after it. */
    static byte[] jpegDeclaring(int width, int height) {
        byte[] real = jpeg(solid(16, 16, 10, 20, 30), 90);
        for (int i = 2; i < real.length - 8; i++) {
            if ((real[i] & 0xFF) == 0xFF && ((real[i + 1] & 0xFF) == 0xC0 || (real[i + 1] & 0xFF) == 0xC2)) {
                real[i + 5] = (byte) (height >> 8);
                real[i + 6] = (byte) height;
                real[i + 7] = (byte) (width >> 8);
                real[i + 8] = (byte) width;
                return real;
            }
        }
        throw new IllegalStateException("no SOF");
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static byte[] resource(String name) {
        try (InputStream in = TestImages.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Mat grey(int width, int height, int value) {
        return new Mat(height, width, CV_8U, new Scalar(value));
    }
}
