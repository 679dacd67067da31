package ai.universal.vision;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.merge;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_PNG_COMPRESSION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_WEBP_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/**
 * Encodes a Mat as JPEG (alpha flattened onto white), PNG or WebP. Output carries no metadata: the EXIF orientation
 * has been applied to the pixels.
 */
public final class ImageEncoder {

    private ImageEncoder() {
    }

    /**
     * Encode.
     *
     * @param image       1, 3 or 4 channel 8-bit image
     * @param format      output format
     * @param quality     JPEG/WebP quality 1–100
     * @param compression PNG compression 0–9
     * @param lossless    WebP lossless
     * @return encoded bytes
     */
    public static byte[] encode(Mat image, ImageFormat format, int quality, int compression, boolean lossless) {
        Mat source = format == ImageFormat.JPEG && image.channels() == 4 ? flatten(image) : image;
        int[] params = switch (format) {
            case JPEG -> new int[] {IMWRITE_JPEG_QUALITY, quality};
            case PNG -> new int[] {IMWRITE_PNG_COMPRESSION, compression};
            case WEBP -> new int[] {IMWRITE_WEBP_QUALITY, lossless ? 101 : quality};
        };
        try (BytePointer out = new BytePointer(); IntPointer p = new IntPointer(params)) {
            if (!imencode(format.extension(), source, out, p)) {
                throw new IllegalStateException("OpenCV could not encode " + format.id());
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        } finally {
            if (source != image) {
                source.close();
            }
        }
    }

    // Composite BGRA over white: out = bgr × a + 255 × (1 − a).
    private static Mat flatten(Mat bgra) {
        try (MatVector planes = new MatVector(); Mat alpha = new Mat(); Mat bgr = new Mat(); Mat alpha3 = new Mat();
             Mat f = new Mat(); Mat white = new Mat(); MatVector threeAlpha = new MatVector()) {
            split(bgra, planes);
            planes.get(3).convertTo(alpha, CV_32F, 1.0 / 255, 0);
            merge(new MatVector(planes.get(0), planes.get(1), planes.get(2)), bgr);
            threeAlpha.push_back(alpha);
            threeAlpha.push_back(alpha);
            threeAlpha.push_back(alpha);
            merge(threeAlpha, alpha3);
            bgr.convertTo(f, CV_32F);
            org.bytedeco.opencv.global.opencv_core.multiply(f, alpha3, f);
            alpha3.convertTo(white, CV_32F, -255, 255);
            org.bytedeco.opencv.global.opencv_core.add(f, white, f);
            Mat out = new Mat();
            f.convertTo(out, CV_8U);
            return out;
        }
    }
}
