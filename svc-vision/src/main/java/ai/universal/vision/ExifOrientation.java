package ai.universal.vision;

import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_core.transpose;

/**
 * EXIF orientation (tag 0x0112 in IFD0 of the TIFF structure inside JPEG APP1, PNG eXIf or WebP EXIF), and the
 * transform that displays a stored image upright — the same transposes and flips OpenCV's own decoder applies.
 * Malformed EXIF never fails a request: the orientation is then 1 (as stored).
 */
public final class ExifOrientation {
    private static final int ORIENTATION_TAG = 0x0112;

    private ExifOrientation() {
    }

    /**
     * The orientation in a TIFF-structured EXIF block.
     *
     * @param d      bytes
     * @param start  where the TIFF header ("II*\0" or "MM\0*") starts
     * @param length bytes available
     * @return 1–8; 1 when absent or malformed
     */
    static int parseTiff(byte[] d, int start, int length) {
        int end = Math.min(d.length, start + Math.max(0, length));
        if (start < 0 || start + 8 > end) {
            return 1;
        }
        boolean little;
        if (d[start] == 'I' && d[start + 1] == 'I') {
            little = true;
        } else if (d[start] == 'M' && d[start + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(d, start + 2, little) != 42) {
            return 1;
        }
        long ifd = u32(d, start + 4, little);
        if (ifd < 8 || start + ifd + 2 > end) {
            return 1;
        }
        int at = (int) (start + ifd);
        int entries = u16(d, at, little);
        at += 2;
        for (int i = 0; i < entries && at + 12 <= end; i++, at += 12) {
            if (u16(d, at, little) == ORIENTATION_TAG) {
                int type = u16(d, at + 2, little);
                int value = type == 3 ? u16(d, at + 8, little) : type == 4 ? (int) u32(d, at + 8, little) : 0;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    /**
     * Turn a stored image upright.
     *
     * @param stored      image as stored (not modified)
     * @param orientation EXIF orientation
     * @return the upright image (the same Mat for orientation 1)
     */
    public static Mat apply(Mat stored, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return stored;
        }
        Mat out = new Mat();
        switch (orientation) {
            case 2 -> flip(stored, out, 1);
            case 3 -> flip(stored, out, -1);
            case 4 -> flip(stored, out, 0);
            default -> {
                Mat transposed = new Mat();
                transpose(stored, transposed);
                switch (orientation) {
                    case 5 -> {
                        return transposed;
                    }
                    case 6 -> flip(transposed, out, 1);
                    case 7 -> flip(transposed, out, -1);
                    default -> flip(transposed, out, 0);
                }
                transposed.close();
            }
        }
        return out;
    }

    private static int u16(byte[] d, int i, boolean little) {
        return little ? HeaderReader.u16le(d, i) : HeaderReader.u16be(d, i);
    }

    private static long u32(byte[] d, int i, boolean little) {
        return little ? HeaderReader.u32le(d, i) : HeaderReader.u32be(d, i);
    }
}
