package ai.universal.vision;

/**
 * What the first bytes of an image say, read without decoding a pixel.
 *
 * @param format      container format
 * @param width       stored width in pixels
 * @param height      stored height in pixels
 * @param channels    colour channels as stored (1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha or CMYK)
 * @param orientation EXIF orientation 1–8 (1 when absent)
 */
public record ImageHeader(ImageFormat format, int width, int height, int channels, int orientation) {

    /**
     * Pixel count.
     *
     * @return width × height
     */
    public long pixels() {
        return (long) width * height;
    }

    /**
     * Whether displaying the image swaps width and height (EXIF orientations 5–8).
     *
     * @return true for a quarter turn
     */
    public boolean transposed() {
        return orientation >= 5;
    }

    /**
     * Width as displayed after the EXIF orientation.
     *
     * @return width
     */
    public int displayWidth() {
        return transposed() ? height : width;
    }

    /**
     * Height as displayed after the EXIF orientation.
     *
     * @return height
     */
    public int displayHeight() {
        return transposed() ? width : height;
    }
}
