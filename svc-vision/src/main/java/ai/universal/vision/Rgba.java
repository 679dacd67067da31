package ai.universal.vision;

import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * A colour from {@code #rgb}, {@code #rrggbb} or {@code #rrggbbaa}.
 *
 * @param r red 0–255
 * @param g green 0–255
 * @param b blue 0–255
 * @param a alpha 0–255 (255 opaque)
 */
public record Rgba(int r, int g, int b, int a) {
    /** Opaque black. */
    public static final Rgba BLACK = new Rgba(0, 0, 0, 255);
    /** Opaque white. */
    public static final Rgba WHITE = new Rgba(255, 255, 255, 255);

    /**
     * Parse a hex colour.
     *
     * @param text  e.g. {@code #ff8800}
     * @param field parameter name for the error
     * @return colour
     */
    static Rgba parse(String text, String field) {
        String hex = text.startsWith("#") ? text.substring(1) : text;
        if (!hex.matches("[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}")) {
            throw VisionException.invalid(field, "'" + Params.shortName(field)
                    + "' must be a colour like #rgb, #rrggbb or #rrggbbaa, not '"
                    + text + "'");
        }
        if (hex.length() == 3) {
            hex = "" + hex.charAt(0) + hex.charAt(0) + hex.charAt(1) + hex.charAt(1) + hex.charAt(2) + hex.charAt(2);
        }
        int a = hex.length() == 8 ? Integer.parseInt(hex.substring(6, 8), 16) : 255;
        return new Rgba(Integer.parseInt(hex.substring(0, 2), 16), Integer.parseInt(hex.substring(2, 4), 16),
                        Integer.parseInt(hex.substring(4, 6), 16), a);
    }

    /**
     * As an OpenCV scalar for an image with this many channels (BGR order; grey is the luma).
     *
     * @param channels 1, 3 or 4
     * @return scalar
     */
    Scalar scalar(int channels) {
        return switch (channels) {
            case 1 -> new Scalar(0.299 * r + 0.587 * g + 0.114 * b);
            case 4 -> new Scalar(b, g, r, a);
            default -> new Scalar(b, g, r, 0);
        };
    }

    /**
     * Hex form.
     *
     * @return {@code #rrggbb}
     */
    public String hex() {
        return String.format("#%02x%02x%02x", r, g, b);
    }
}
