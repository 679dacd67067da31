package ai.universal.vision;

import java.util.List;

/**
 * A validated pipeline: the image operations in order, and the output encoding.
 *
 * @param ops    operations, applied in order
 * @param output the encoding; its type is null to keep the source format
 */
public record Pipeline(List<Op> ops, Op.Format output) {
    /** Default JPEG quality. */
    public static final int DEFAULT_JPEG_QUALITY = 85;
    /** Default WebP quality. */
    public static final int DEFAULT_WEBP_QUALITY = 80;
    /** Default PNG compression level. */
    public static final int DEFAULT_PNG_COMPRESSION = 6;

    /** Copies the list. */
    public Pipeline {
        ops = List.copyOf(ops);
    }

    /**
     * The output format for a source format.
     *
     * @param source format of the input
     * @return format to encode in
     */
    public ImageFormat outputFormat(ImageFormat source) {
        return output == null || output.type() == null ? source : output.type();
    }

    /**
     * JPEG/WebP quality to use.
     *
     * @param format output format
     * @return 1–100
     */
    public int quality(ImageFormat format) {
        if (output != null && output.quality() > 0) {
            return output.quality();
        }
        return format == ImageFormat.WEBP ? DEFAULT_WEBP_QUALITY : DEFAULT_JPEG_QUALITY;
    }

    /**
     * PNG compression to use.
     *
     * @return 0–9
     */
    public int compression() {
        return output != null && output.compression() >= 0 ? output.compression() : DEFAULT_PNG_COMPRESSION;
    }

    /**
     * Whether WebP is lossless.
     *
     * @return true when asked
     */
    public boolean lossless() {
        return output != null && output.lossless();
    }

    /**
     * Whether the first operation is a resize the decoder may help with (JPEG DCT-domain downscaling).
     *
     * @return the leading resize, or null
     */
    public Op.Resize leadingResize() {
        return !ops.isEmpty() && ops.getFirst() instanceof Op.Resize r ? r : null;
    }
}
