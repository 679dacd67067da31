package ai.universal.vision;

import java.nio.charset.StandardCharsets;

/**
 * Reads format, dimensions, channels and EXIF orientation from an image's header, and checks that the container is
 * complete (JPEG end-of-image marker, PNG IEND chunk, WebP RIFF size), all without decoding pixels. This is what lets the
 * service refuse a decompression bomb (a tiny file declaring gigapixels) before any native decoder allocates memory.
 *
 * <p>Refusals: zero bytes → 400 {@code empty_image}; unknown magic → 415 {@code unsupported_image_format}; animated
 * WebP → 415; a broken structure → 422 {@code corrupt_image}; a missing end → 422 {@code truncated_image}.
 */
public final class HeaderReader {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private HeaderReader() {
    }

    /**
     * Read the header.
     *
     * @param data the whole file
     * @return header
     * @throws VisionException when the bytes are not a complete JPEG, PNG or WebP
     */
    public static ImageHeader read(byte[] data) {
        if (data.length == 0) {
            throw VisionException.badRequest("empty_image", "The image is empty (0 bytes)");
        }
        if (data.length >= 3 && u8(data, 0) == 0xFF && u8(data, 1) == 0xD8 && u8(data, 2) == 0xFF) {
            return jpeg(data);
        }
        if (startsWith(data, PNG_SIGNATURE)) {
            return png(data);
        }
        if (data.length >= 12 && ascii(data, 0, 4).equals("RIFF") && ascii(data, 8, 4).equals("WEBP")) {
            return webp(data);
        }
        throw VisionException.unsupported("unsupported_image_format",
                                          "The bytes are not a JPEG, PNG or WebP image" + sniffed(data)
                                                  + "; supported: jpeg, png, webp");
    }

    private static ImageHeader jpeg(byte[] d) {
        int pos = 2;
        int width = -1;
        int height = -1;
        int channels = 0;
        int orientation = 1;
        while (true) {
            if (pos >= d.length) {
                throw truncated("JPEG", "it ends inside its headers");
            }
            if (u8(d, pos) != 0xFF) {
                throw corrupt("JPEG", "expected a marker at byte " + pos);
            }
            while (pos < d.length && u8(d, pos) == 0xFF) {
                pos++;
            }
            if (pos >= d.length) {
                throw truncated("JPEG", "it ends inside its headers");
            }
            int marker = u8(d, pos++);
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue;
            }
            if (marker == 0xD9) {
                throw corrupt("JPEG", "it ends before any image data");
            }
            if (pos + 2 > d.length) {
                throw truncated("JPEG", "it ends inside its headers");
            }
            int length = u16be(d, pos);
            if (length < 2) {
                throw corrupt("JPEG", "segment length " + length + " at byte " + pos);
            }
            if (pos + length > d.length) {
                throw truncated("JPEG", "a segment runs past the end of the data");
            }
            int payload = pos + 2;
            int size = length - 2;
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                if (size < 6) {
                    throw corrupt("JPEG", "frame header too short");
                }
                height = u16be(d, payload + 1);
                width = u16be(d, payload + 3);
                channels = u8(d, payload + 5);
            } else if (marker == 0xE1 && size > 6 && ascii(d, payload, 4).equals("Exif")) {
                orientation = ExifOrientation.parseTiff(d, payload + 6, size - 6);
            } else if (marker == 0xDA) {
                if (width < 0) {
                    throw corrupt("JPEG", "image data starts before the frame header");
                }
                if (!containsEndOfImage(d, payload + size)) {
                    throw truncated("JPEG", "the end-of-image marker is missing");
                }
                break;
            }
            pos += length;
        }
        if (width == 0 || height == 0) {
            throw corrupt("JPEG", "it declares " + width + "x" + height + " pixels");
        }
        if (channels != 1 && channels != 3 && channels != 4) {
            throw corrupt("JPEG", "it declares " + channels + " colour components");
        }
        return new ImageHeader(ImageFormat.JPEG, width, height, channels, orientation);
    }

    // Entropy-coded data stuffs every 0xFF with 0x00, so FF D9 after the first scan can only be the end-of-image marker.
    private static boolean containsEndOfImage(byte[] d, int from) {
        for (int i = d.length - 2; i >= from; i--) {
            if (d[i] == (byte) 0xFF && d[i + 1] == (byte) 0xD9) {
                return true;
            }
        }
        return false;
    }

    private static ImageHeader png(byte[] d) {
        int pos = 8;
        int width = -1;
        int height = -1;
        int channels = 0;
        int orientation = 1;
        boolean transparency = false;
        boolean first = true;
        while (true) {
            if (pos + 8 > d.length) {
                throw truncated("PNG", "the IEND chunk is missing");
            }
            long length = u32be(d, pos);
            String type = ascii(d, pos + 4, 4);
            if (length > Integer.MAX_VALUE || pos + 12 + length > d.length) {
                throw truncated("PNG", "chunk " + type + " runs past the end of the data");
            }
            int payload = pos + 8;
            if (first) {
                if (!type.equals("IHDR") || length != 13) {
                    throw corrupt("PNG", "the first chunk is not a 13-byte IHDR");
                }
                width = (int) Math.min(u32be(d, payload), Integer.MAX_VALUE);
                height = (int) Math.min(u32be(d, payload + 4), Integer.MAX_VALUE);
                channels = switch (u8(d, payload + 9)) {
                    case 0 -> 1;
                    case 2, 3 -> 3;
                    case 4 -> 2;
                    case 6 -> 4;
                    default -> throw corrupt("PNG", "unknown colour type " + u8(d, payload + 9));
                };
                first = false;
            } else if (type.equals("tRNS")) {
                transparency = true;
            } else if (type.equals("eXIf")) {
                orientation = ExifOrientation.parseTiff(d, payload, (int) length);
            } else if (type.equals("IEND")) {
                break;
            }
            pos += (int) (12 + length);
        }
        if (width <= 0 || height <= 0) {
            throw corrupt("PNG", "it declares " + width + "x" + height + " pixels");
        }
        if (transparency && (channels == 1 || channels == 3)) {
            channels++;
        }
        return new ImageHeader(ImageFormat.PNG, width, height, channels, orientation);
    }

    private static ImageHeader webp(byte[] d) {
        long riffSize = u32le(d, 4);
        if (riffSize + 8 > d.length) {
            throw truncated("WebP", "the RIFF container declares " + (riffSize + 8) + " bytes but " + d.length + " arrived");
        }
        int end = (int) (riffSize + 8);
        int pos = 12;
        int width = -1;
        int height = -1;
        int channels = 3;
        int orientation = 1;
        while (pos + 8 <= end) {
            String type = ascii(d, pos, 4);
            long length = u32le(d, pos + 4);
            int payload = pos + 8;
            if (payload + length > end) {
                throw truncated("WebP", "chunk " + type.trim() + " runs past the end of the data");
            }
            int size = (int) length;
            switch (type) {
                case "VP8X" -> {
                    if (size < 10) {
                        throw corrupt("WebP", "VP8X chunk too short");
                    }
                    int flags = u8(d, payload);
                    if ((flags & 0x02) != 0) {
                        throw VisionException.unsupported("unsupported_image_format",
                                                          "Animated WebP is not supported; send a still image");
                    }
                    channels = (flags & 0x10) != 0 ? 4 : 3;
                    width = u24le(d, payload + 4) + 1;
                    height = u24le(d, payload + 7) + 1;
                }
                case "VP8 " -> {
                    if (size < 10 || u8(d, payload + 3) != 0x9D || u8(d, payload + 4) != 0x01 || u8(d, payload + 5) != 0x2A) {
                        throw corrupt("WebP", "bad VP8 frame header");
                    }
                    if (width < 0) {
                        width = u16le(d, payload + 6) & 0x3FFF;
                        height = u16le(d, payload + 8) & 0x3FFF;
                    }
                }
                case "VP8L" -> {
                    if (size < 5 || u8(d, payload) != 0x2F) {
                        throw corrupt("WebP", "bad VP8L header");
                    }
                    long bits = u32le(d, payload + 1);
                    if (width < 0) {
                        width = (int) (bits & 0x3FFF) + 1;
                        height = (int) ((bits >> 14) & 0x3FFF) + 1;
                        channels = ((bits >> 28) & 1) != 0 ? 4 : 3;
                    }
                }
                case "EXIF" -> {
                    boolean prefixed = size > 6 && ascii(d, payload, 4).equals("Exif");
                    orientation = prefixed ? ExifOrientation.parseTiff(d, payload + 6, size - 6)
                            : ExifOrientation.parseTiff(d, payload, size);
                }
                default -> {
                }
            }
            pos = payload + size + (size & 1);
        }
        if (width <= 0 || height <= 0) {
            throw corrupt("WebP", "no image chunk with dimensions");
        }
        return new ImageHeader(ImageFormat.WEBP, width, height, channels, orientation);
    }

    private static String sniffed(byte[] d) {
        if (d.length >= 6 && ascii(d, 0, 3).equals("GIF")) {
            return " (it looks like a GIF)";
        }
        if (d.length >= 2 && ascii(d, 0, 2).equals("BM")) {
            return " (it looks like a BMP)";
        }
        if (d.length >= 4 && (ascii(d, 0, 4).equals("II*\0") || ascii(d, 0, 4).equals("MM\0*"))) {
            return " (it looks like a TIFF)";
        }
        if (d.length >= 5 && (ascii(d, 0, 5).equals("<?xml") || ascii(d, 0, 4).equals("<svg"))) {
            return " (it looks like XML or SVG)";
        }
        return "";
    }

    private static VisionException corrupt(String format, String why) {
        return VisionException.unprocessable("corrupt_image", "The " + format + " image is corrupt: " + why);
    }

    private static VisionException truncated(String format, String why) {
        return VisionException.unprocessable("truncated_image", "The " + format + " image is truncated: " + why);
    }

    private static boolean startsWith(byte[] d, byte[] prefix) {
        if (d.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (d[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static String ascii(byte[] d, int from, int length) {
        if (from < 0 || from + length > d.length) {
            return "";
        }
        return new String(d, from, length, StandardCharsets.ISO_8859_1);
    }

    static int u8(byte[] d, int i) {
        return d[i] & 0xFF;
    }

    static int u16be(byte[] d, int i) {
        return (u8(d, i) << 8) | u8(d, i + 1);
    }

    static int u16le(byte[] d, int i) {
        return u8(d, i) | (u8(d, i + 1) << 8);
    }

    static int u24le(byte[] d, int i) {
        return u8(d, i) | (u8(d, i + 1) << 8) | (u8(d, i + 2) << 16);
    }

    static long u32be(byte[] d, int i) {
        return ((long) u8(d, i) << 24) | ((long) u8(d, i + 1) << 16) | ((long) u8(d, i + 2) << 8) | u8(d, i + 3);
    }

    static long u32le(byte[] d, int i) {
        return u8(d, i) | ((long) u8(d, i + 1) << 8) | ((long) u8(d, i + 2) << 16) | ((long) u8(d, i + 3) << 24);
    }
}
