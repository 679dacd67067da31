package ai.universal.vision;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * Decodes a header-checked image into an 8-bit Mat with 1 (grey), 3 (BGR) or 4 (BGRA) channels, upright (EXIF
 * orientation applied unless turned off). JPEGs can be decoded reduced by 2, 4 or 8 in the DCT domain (libjpeg-turbo
 * scaling), which is most of the speed of a thumbnail. A decoder failure or dimensions that disagree with the header
 * are 422, never a crash.
 */
public final class ImageDecoder {

    private ImageDecoder() {
    }

    /**
     * Decode.
     *
     * @param data       the whole file
     * @param header     its header (already checked against the limits)
     * @param reduction  1, 2, 4 or 8 (only JPEG reduces; others ignore it)
     * @param autoOrient whether to apply the EXIF orientation
     * @return the image; the caller owns it
     */
    public static Mat decode(byte[] data, ImageHeader header, int reduction, boolean autoOrient) {
        boolean jpeg = header.format() == ImageFormat.JPEG;
        int r = jpeg ? reduction : 1;
        int flags = jpeg ? switch (r) {
            case 2 -> IMREAD_REDUCED_COLOR_2;
            case 4 -> IMREAD_REDUCED_COLOR_4;
            case 8 -> IMREAD_REDUCED_COLOR_8;
            default -> IMREAD_COLOR;
        } | IMREAD_IGNORE_ORIENTATION : IMREAD_UNCHANGED;
        Mat decoded;
        try (BytePointer bytes = new BytePointer(data); Mat buffer = new Mat(1, data.length, CV_8U, bytes)) {
            decoded = imdecode(buffer, flags);
        } catch (RuntimeException e) {
            throw VisionException.unprocessable("corrupt_image", "The " + header.format().id() + " image could not be "
                    + "decoded: " + firstLine(e.getMessage()));
        }
        if (decoded == null || decoded.empty()) {
            throw VisionException.unprocessable("corrupt_image", "The " + header.format().id() + " image could not be "
                    + "decoded (corrupt or truncated data)");
        }
        int expectedWidth = (header.width() + r - 1) / r;
        int expectedHeight = (header.height() + r - 1) / r;
        if (decoded.cols() != expectedWidth || decoded.rows() != expectedHeight) {
            int w = decoded.cols();
            int h = decoded.rows();
            decoded.close();
            throw VisionException.unprocessable("corrupt_image", "The " + header.format().id() + " header declares "
                    + header.width() + "x" + header.height() + " but the data decodes to " + w + "x" + h);
        }
        Mat normal = normalise(decoded);
        if (!autoOrient || header.orientation() == 1) {
            return normal;
        }
        Mat upright = ExifOrientation.apply(normal, header.orientation());
        normal.close();
        return upright;
    }

    /**
     * The largest JPEG reduction (1, 2, 4, 8) whose result is still at least the given size after orientation.
     *
     * @param header    header
     * @param minWidth  smallest acceptable upright width
     * @param minHeight smallest acceptable upright height
     * @return reduction factor
     */
    public static int reductionFor(ImageHeader header, long minWidth, long minHeight) {
        if (header.format() != ImageFormat.JPEG) {
            return 1;
        }
        for (int r = 8; r > 1; r /= 2) {
            long w = (header.displayWidth() + r - 1) / r;
            long h = (header.displayHeight() + r - 1) / r;
            if (w >= minWidth && h >= minHeight) {
                return r;
            }
        }
        return 1;
    }

    private static Mat normalise(Mat decoded) {
        Mat m = decoded;
        if (m.depth() == CV_16U) {
            Mat eight = new Mat();
            m.convertTo(eight, CV_8U, 1.0 / 257, 0);
            m.close();
            m = eight;
        } else if (m.depth() != CV_8U) {
            int depth = m.depth();
            m.close();
            throw VisionException.unsupported("unsupported_image_format", "Images with OpenCV depth " + depth
                    + " are not supported; send 8- or 16-bit images");
        }
        if (m.channels() == 2) {
            // grey + alpha: keep the grey
            Mat grey = new Mat();
            org.bytedeco.opencv.global.opencv_core.extractChannel(m, grey, 0);
            m.close();
            m = grey;
        }
        if (m.channels() != 1 && m.channels() != 3 && m.channels() != 4) {
            int channels = m.channels();
            m.close();
            throw VisionException.unsupported("unsupported_image_format", "Images with " + channels
                    + " channels are not supported");
        }
        return m;
    }

    /**
     * Ensure three channels (grey → BGR).
     *
     * @param m image
     * @return BGR or BGRA image (the same Mat when it already has colour)
     */
    static Mat colour(Mat m) {
        if (m.channels() != 1) {
            return m;
        }
        Mat bgr = new Mat();
        cvtColor(m, bgr, COLOR_GRAY2BGR);
        return bgr;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "decoder error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
