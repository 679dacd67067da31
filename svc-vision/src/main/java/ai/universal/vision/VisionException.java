package ai.universal.vision;

/**
 * A request the service refuses: the HTTP status, a stable code, a precise detail and, for parameters, the field it is
 * about. The domain throws only this; the HTTP layer turns it into problem+json. No stack trace: these are expected.
 */
public final class VisionException extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;
    private final int retryAfterSeconds;

    private VisionException(int status, String code, String detail, String field, int retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * 400: a parameter is missing, of the wrong type or out of range.
     *
     * @param field  where, e.g. {@code pipeline[0].width}
     * @param detail what is wrong, with the accepted values
     * @return exception
     */
    public static VisionException invalid(String field, String detail) {
        return new VisionException(400, "invalid_parameter", detail, field, 0);
    }

    /**
     * 400: the request has no usable image.
     *
     * @param code   e.g. {@code empty_image}, {@code missing_image}
     * @param detail what to send instead
     * @return exception
     */
    public static VisionException badRequest(String code, String detail) {
        return new VisionException(400, code, detail, null, 0);
    }

    /**
     * 415: not an image in a supported format, or not the format it claims to be.
     *
     * @param code   e.g. {@code unsupported_image_format}
     * @param detail what was found and what is supported
     * @return exception
     */
    public static VisionException unsupported(String code, String detail) {
        return new VisionException(415, code, detail, null, 0);
    }

    /**
     * 422: the image is corrupt, truncated, too large in pixels or took too long.
     *
     * @param code   e.g. {@code corrupt_image}, {@code truncated_image}, {@code image_too_large}
     * @param detail what is wrong
     * @return exception
     */
    public static VisionException unprocessable(String code, String detail) {
        return new VisionException(422, code, detail, null, 0);
    }

    /**
     * 403: fetching by URL is off, or the URL points somewhere it may not.
     *
     * @param code   e.g. {@code fetch_disabled}, {@code fetch_forbidden}
     * @param detail why
     * @return exception
     */
    public static VisionException forbidden(String code, String detail) {
        return new VisionException(403, code, detail, null, 0);
    }

    /**
     * 413: the image (or a fetched one) is larger in bytes than allowed.
     *
     * @param code   code
     * @param detail the limit
     * @return exception
     */
    public static VisionException tooLarge(String code, String detail) {
        return new VisionException(413, code, detail, null, 0);
    }

    /**
     * 429: every worker is busy and the queue is full.
     *
     * @param retryAfterSeconds when to try again
     * @return exception
     */
    public static VisionException busy(int retryAfterSeconds) {
        return new VisionException(429, "busy", "All image workers are busy and the queue is full; retry after "
                + retryAfterSeconds + " s", null, retryAfterSeconds);
    }

    /**
     * 503: the job waited in the queue past the time limit without starting.
     *
     * @param retryAfterSeconds when to try again
     * @return exception
     */
    public static VisionException overloaded(int retryAfterSeconds) {
        return new VisionException(503, "overloaded", "The image waited too long for a worker; retry after "
                + retryAfterSeconds + " s", null, retryAfterSeconds);
    }

    /**
     * HTTP status.
     *
     * @return status
     */
    public int status() {
        return status;
    }

    /**
     * Stable machine-readable code.
     *
     * @return code
     */
    public String code() {
        return code;
    }

    /**
     * The parameter at fault, or null.
     *
     * @return field
     */
    public String field() {
        return field;
    }

    /**
     * Seconds for Retry-After, 0 when not applicable.
     *
     * @return seconds
     */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
