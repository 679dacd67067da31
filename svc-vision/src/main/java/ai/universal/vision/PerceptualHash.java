package ai.universal.vision;

import java.util.HexFormat;
import java.util.Locale;

import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.dct;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * 64-bit perceptual hashes of the grey image, as the Python {@code imagehash} package defines them:
 * <ul>
 *     <li>{@code average}: 8×8 area-downscale, bit = pixel above the mean;</li>
 *     <li>{@code difference}: 9×8, bit = right neighbour brighter than the pixel;</li>
 *     <li>{@code perceptual}: 32×32, 2-D DCT, the 8×8 lowest frequencies, bit = above their median.</li>
 * </ul>
 * Bits are row-major, the first bit the most significant; hashes print as 16 hex digits. Near-duplicates differ in
 * few bits (Hamming distance), unrelated images in about half.
 */
public final class PerceptualHash {

    /** The algorithms. */
    public enum Algorithm {
        /** aHash. */
        AVERAGE("average"),
        /** dHash. */
        DIFFERENCE("difference"),
        /** pHash. */
        PERCEPTUAL("perceptual");

        private final String id;

        Algorithm(String id) {
            this.id = id;
        }

        /**
         * API name.
         *
         * @return name
         */
        public String id() {
            return id;
        }

        /**
         * Parse.
         *
         * @param name  name
         * @param field parameter for the error
         * @return algorithm
         */
        public static Algorithm parse(String name, String field) {
            for (Algorithm a : values()) {
                if (a.id.equals(name.toLowerCase(Locale.ROOT))) {
                    return a;
                }
            }
            throw VisionException.invalid(field, "'" + field + "' must be one of average, difference, perceptual, not '"
                    + name + "'");
        }
    }

    /**
     * The three hashes of one image.
     *
     * @param average    aHash
     * @param difference dHash
     * @param perceptual pHash
     */
    public record Hashes(long average, long difference, long perceptual) {
        /**
         * One of them.
         *
         * @param algorithm which
         * @return hash
         */
        public long get(Algorithm algorithm) {
            return switch (algorithm) {
                case AVERAGE -> average;
                case DIFFERENCE -> difference;
                case PERCEPTUAL -> perceptual;
            };
        }
    }

    private PerceptualHash() {
    }

    /**
     * Hash an image.
     *
     * @param image 1, 3 or 4 channel 8-bit image
     * @return hashes
     */
    public static Hashes of(Mat image) {
        try (Mat grey = new Mat()) {
            if (image.channels() == 1) {
                image.copyTo(grey);
            } else {
                cvtColor(image, grey, image.channels() == 4 ? COLOR_BGRA2GRAY : COLOR_BGR2GRAY);
            }
            return new Hashes(average(grey), difference(grey), perceptual(grey));
        }
    }

    private static long average(Mat grey) {
        try (Mat small = shrink(grey, 8, 8); UByteIndexer px = small.createIndexer()) {
            double mean = 0;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    mean += px.get(y, x);
                }
            }
            mean /= 64;
            long bits = 0;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    bits = (bits << 1) | (px.get(y, x) > mean ? 1 : 0);
                }
            }
            return bits;
        }
    }

    private static long difference(Mat grey) {
        try (Mat small = shrink(grey, 9, 8); UByteIndexer px = small.createIndexer()) {
            long bits = 0;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    bits = (bits << 1) | (px.get(y, x + 1) > px.get(y, x) ? 1 : 0);
                }
            }
            return bits;
        }
    }

    private static long perceptual(Mat grey) {
        try (Mat small = shrink(grey, 32, 32); Mat f = new Mat(); Mat freq = new Mat()) {
            small.convertTo(f, CV_32F);
            dct(f, freq);
            float[] low = new float[64];
            try (FloatIndexer idx = freq.createIndexer()) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        low[y * 8 + x] = idx.get(y, x);
                    }
                }
            }
            float[] sorted = low.clone();
            java.util.Arrays.sort(sorted);
            double median = (sorted[31] + sorted[32]) / 2.0;
            long bits = 0;
            for (float v : low) {
                bits = (bits << 1) | (v > median ? 1 : 0);
            }
            return bits;
        }
    }

    private static Mat shrink(Mat grey, int w, int h) {
        Mat out = new Mat();
        try (Size size = new Size(w, h)) {
            resize(grey, out, size, 0, 0, INTER_AREA);
        }
        return out;
    }

    /**
     * Bits that differ.
     *
     * @param a hash
     * @param b hash
     * @return 0–64
     */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    /**
     * 16 hex digits.
     *
     * @param hash hash
     * @return hex
     */
    public static String hex(long hash) {
        return HexFormat.of().toHexDigits(hash);
    }

    /**
     * Parse 16 hex digits.
     *
     * @param hex   text
     * @param field parameter for the error
     * @return hash
     */
    public static long parse(String hex, String field) {
        if (hex == null || !hex.matches("[0-9a-fA-F]{16}")) {
            throw VisionException.invalid(field, "'" + field + "' must be a 64-bit hash as 16 hex digits, not '" + hex + "'");
        }
        return Long.parseUnsignedLong(hex, 16);
    }
}
