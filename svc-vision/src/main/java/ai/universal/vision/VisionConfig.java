package ai.universal.vision;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import ai.universal.kit.Settings;

/**
 * svc-vision's settings (environment variable, then {@code vision.*} in application.yaml, then the default).
 *
 * @param backend           {@code VISION_BACKEND}: cpu, cuda or auto
 * @param maxBodyBytes      {@code VISION_MAX_BODY_BYTES}: largest request body; more → 413
 * @param maxPixels         {@code VISION_MAX_PIXELS}: most source (and output) pixels, checked from the header
 * @param maxSide           {@code VISION_MAX_SIDE}: largest output width or height
 * @param maxWatermarkPixels {@code VISION_MAX_WATERMARK_PIXELS}: most pixels of a watermark image
 * @param timeout           {@code VISION_TIMEOUT}: most time for one image (queue wait, decode, operations, encode)
 * @param workers           {@code VISION_WORKERS}: image worker threads (default 2 × cores)
 * @param queue             {@code VISION_QUEUE}: jobs waiting beyond the running ones; more → 429
 * @param retryAfterSeconds {@code VISION_RETRY_AFTER}: Retry-After seconds on 429 and 503
 * @param opencvThreads     {@code VISION_OPENCV_THREADS}: OpenCV's own threads per call (1: parallelism comes from
 *                          the workers; 0: OpenCV's default)
 * @param requireAuth       {@code VISION_REQUIRE_AUTH}: whether callers need a token or API key
 * @param fetch             {@code VISION_FETCH_*}: fetching by URL
 */
public record VisionConfig(String backend,
                           long maxBodyBytes,
                           long maxPixels,
                           int maxSide,
                           long maxWatermarkPixels,
                           Duration timeout,
                           int workers,
                           int queue,
                           int retryAfterSeconds,
                           int opencvThreads,
                           boolean requireAuth,
                           RemoteImageFetcher.Policy fetch) {

    /** Checks the values. */
    public VisionConfig {
        if (maxBodyBytes < 1 || maxPixels < 1 || maxSide < 1 || maxWatermarkPixels < 1 || workers < 1 || queue < 0
                || retryAfterSeconds < 1 || opencvThreads < 0 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("svc-vision limits must be positive (VISION_QUEUE may be 0, "
                                                       + "VISION_OPENCV_THREADS 0 for OpenCV's default)");
        }
    }

    /**
     * Read the settings.
     *
     * @param s settings
     * @return config
     */
    public static VisionConfig from(Settings s) {
        int cores = Runtime.getRuntime().availableProcessors();
        int workers = s.integer("VISION_WORKERS", "vision.workers", 2 * cores);
        long maxBody = s.integer("VISION_MAX_BODY_BYTES", "vision.limits.max-body-bytes", 32 << 20);
        String hosts = s.string("VISION_FETCH_ALLOWED_HOSTS", "vision.fetch.allowed-hosts", "");
        RemoteImageFetcher.Policy fetch = new RemoteImageFetcher.Policy(
                s.bool("VISION_FETCH_ENABLED", "vision.fetch.enabled", false),
                Arrays.stream(hosts.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList(),
                s.integer("VISION_FETCH_MAX_BYTES", "vision.fetch.max-bytes", (int) maxBody),
                s.duration("VISION_FETCH_TIMEOUT", "vision.fetch.timeout", Duration.ofSeconds(10)),
                s.integer("VISION_FETCH_MAX_REDIRECTS", "vision.fetch.max-redirects", 3),
                s.bool("VISION_FETCH_ALLOW_LOOPBACK", "vision.fetch.allow-loopback", false),
                s.bool("VISION_FETCH_ALLOW_PRIVATE", "vision.fetch.allow-private", false));
        return new VisionConfig(s.string("VISION_BACKEND", "vision.backend", "auto"),
                                maxBody,
                                Long.parseLong(s.string("VISION_MAX_PIXELS", "vision.limits.max-pixels", "50000000")),
                                s.integer("VISION_MAX_SIDE", "vision.limits.max-side", 16383),
                                Long.parseLong(s.string("VISION_MAX_WATERMARK_PIXELS", "vision.limits.max-watermark-pixels",
                                                        "4000000")),
                                s.duration("VISION_TIMEOUT", "vision.timeout", Duration.ofSeconds(30)),
                                workers,
                                s.integer("VISION_QUEUE", "vision.queue", 4 * workers),
                                s.integer("VISION_RETRY_AFTER", "vision.retry-after", 1),
                                s.integer("VISION_OPENCV_THREADS", "vision.opencv-threads", 1),
                                s.bool("VISION_REQUIRE_AUTH", "vision.require-auth", true),
                                fetch);
    }

    /**
     * The limits for the domain.
     *
     * @return limits
     */
    public VisionLimits limits() {
        return new VisionLimits(maxPixels, maxSide, maxWatermarkPixels);
    }

    /**
     * Allowed fetch hosts.
     *
     * @return hosts
     */
    public List<String> fetchHosts() {
        return fetch.allowedHosts();
    }
}
