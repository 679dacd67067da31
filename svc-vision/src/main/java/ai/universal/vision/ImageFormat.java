package ai.universal.vision;

import java.util.Locale;

/** The formats the service reads and writes. Anything else is refused with 415 (a smaller attack surface). */
public enum ImageFormat {
    /** JPEG (baseline, progressive; CMYK decodes to BGR). */
    JPEG("jpeg", "image/jpeg", ".jpg"),
    /** PNG (8 or 16 bit, grey, palette, alpha). */
    PNG("png", "image/png", ".png"),
    /** WebP (lossy, lossless, alpha; not animated). */
    WEBP("webp", "image/webp", ".webp");

    private final String id;
    private final String mediaType;
    private final String extension;

    ImageFormat(String id, String mediaType, String extension) {
        this.id = id;
        this.mediaType = mediaType;
        this.extension = extension;
    }

    /**
     * Name used in the API ({@code jpeg}, {@code png}, {@code webp}).
     *
     * @return id
     */
    public String id() {
        return id;
    }

    /**
     * Media type.
     *
     * @return e.g. image/jpeg
     */
    public String mediaType() {
        return mediaType;
    }

    /**
     * Extension OpenCV's encoder picks the codec by.
     *
     * @return e.g. .jpg
     */
    public String extension() {
        return extension;
    }

    /**
     * The format named in a request ({@code jpeg}/{@code jpg}, {@code png}, {@code webp}).
     *
     * @param name  name
     * @param field parameter name for the error
     * @return format
     */
    public static ImageFormat parse(String name, String field) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "jpeg", "jpg" -> JPEG;
            case "png" -> PNG;
            case "webp" -> WEBP;
            default -> throw VisionException.invalid(field, "'" + Params.shortName(field)
                    + "' must be one of jpeg, png, webp, not '" + name + "'");
        };
    }

    /**
     * The format a media type names, if it is one of ours.
     *
     * @param mediaType e.g. {@code image/jpeg; charset=x}
     * @return format or null
     */
    public static ImageFormat ofMediaType(String mediaType) {
        String type = mediaType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return switch (type) {
            case "image/jpeg", "image/jpg", "image/pjpeg" -> JPEG;
            case "image/png", "image/x-png" -> PNG;
            case "image/webp" -> WEBP;
            default -> null;
        };
    }
}
