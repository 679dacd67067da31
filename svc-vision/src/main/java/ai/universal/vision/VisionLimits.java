package ai.universal.vision;

/**
 * The safety limits every image passes.
 *
 * @param maxPixels      most source pixels (checked from the header before decoding) and most output pixels
 * @param maxSide        largest output width or height
 * @param maxWatermarkPixels most pixels of a watermark image
 */
public record VisionLimits(long maxPixels, int maxSide, long maxWatermarkPixels) {

    /** Checks the values. */
    public VisionLimits {
        if (maxPixels < 1 || maxSide < 1 || maxWatermarkPixels < 1) {
            throw new IllegalArgumentException("vision limits must be positive");
        }
    }

    /**
     * Refuse a source image with more pixels than allowed.
     *
     * @param header header
     */
    public void checkSource(ImageHeader header) {
        if (header.pixels() > maxPixels) {
            throw VisionException.unprocessable("image_too_large", "The image declares " + header.width() + "x"
                    + header.height() + " = " + header.pixels() + " pixels; at most " + maxPixels + " are accepted");
        }
    }

    /**
     * Refuse an operation whose result would exceed the output limits (before allocating it).
     *
     * @param op     op name
     * @param width  result width
     * @param height result height
     */
    public void checkOutput(String op, long width, long height) {
        if (width > maxSide || height > maxSide || width * height > maxPixels) {
            throw VisionException.unprocessable("output_too_large", op + " would make a " + width + "x" + height
                    + " image; outputs are limited to " + maxSide + " px per side and " + maxPixels + " pixels");
        }
    }
}
