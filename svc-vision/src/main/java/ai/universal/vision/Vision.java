package ai.universal.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

/**
 * What the service does, without HTTP: process a pipeline, find faces, hash, describe. Each call reads the header on
 * the caller's thread (so a decompression bomb is refused before it takes a worker), then decodes and works on the
 * bounded {@link WorkerPool} inside a {@link PointerScope}, which frees every native buffer of the job when it ends,
 * whether it succeeded or not.
 */
public final class Vision implements AutoCloseable {
    private static final int HASH_SIDE = 256;
    private static final int COLOR_SIDE = 128;

    private final VisionLimits limits;
    private final Backend backend;
    private final WorkerPool pool;
    private final FaceDetector faces;
    private final ImageOps ops;
    private final Consumer<String> jobStart;

    /**
     * Create.
     *
     * @param limits   safety limits
     * @param backend  CPU or CUDA
     * @param pool     worker pool (closed with this)
     * @param faces    face detector (closed with this)
     * @param jobStart called on the worker as each job starts, with the job's kind (tests hold workers with it)
     */
    public Vision(VisionLimits limits, Backend backend, WorkerPool pool, FaceDetector faces, Consumer<String> jobStart) {
        this.limits = limits;
        this.backend = backend;
        this.pool = pool;
        this.faces = faces;
        this.ops = new ImageOps(backend, limits, faces);
        this.jobStart = jobStart;
    }

    /**
     * An image as received.
     *
     * @param data         the file
     * @param declaredType the media type it came with (Content-Type or part type), or null
     * @param autoOrient   whether to apply its EXIF orientation
     */
    public record Source(byte[] data, String declaredType, boolean autoOrient) {
    }

    /**
     * A processed image.
     *
     * @param data   encoded bytes
     * @param format format
     * @param width  width
     * @param height height
     * @param steps  what each operation did
     */
    public record Processed(byte[] data, ImageFormat format, int width, int height, List<ImageOps.Step> steps) {
    }

    /**
     * Faces found.
     *
     * @param width   upright image width
     * @param height  upright image height
     * @param cascade cascade used
     * @param faces   boxes, largest first
     * @param drawn   the image with the boxes drawn, when asked
     */
    public record FaceResult(int width, int height, String cascade, List<FaceDetector.Face> faces, Processed drawn) {
    }

    /**
     * What an image is.
     *
     * @param format         format
     * @param width          stored width
     * @param height         stored height
     * @param channels       stored channels
     * @param orientation    EXIF orientation 1–8
     * @param dominantColors commonest colours
     */
    public record Info(ImageFormat format, int width, int height, int channels, int orientation,
                       List<DominantColors.Swatch> dominantColors) {
    }

    /**
     * Read and check the header: format, declared type, pixel limit.
     *
     * @param source image
     * @return header
     */
    public ImageHeader inspect(Source source) {
        ImageHeader header = HeaderReader.read(source.data());
        String declared = source.declaredType();
        if (declared != null) {
            String type = declared.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            ImageFormat named = ImageFormat.ofMediaType(type);
            boolean generic = type.isEmpty() || type.equals("application/octet-stream") || type.equals("image/*");
            if (!generic && named != header.format()) {
                throw VisionException.unsupported("content_type_mismatch", "The content type says " + type
                        + " but the bytes are a " + header.format().id().toUpperCase(java.util.Locale.ROOT)
                        + " image; send the matching type (" + header.format().mediaType() + ") or "
                        + "application/octet-stream");
            }
        }
        limits.checkSource(header);
        return header;
    }

    /**
     * Run a pipeline.
     *
     * @param source   image
     * @param pipeline pipeline
     * @return the result
     */
    public Processed process(Source source, Pipeline pipeline) {
        ImageHeader header = inspect(source);
        return run("process", () -> {
            int reduction = reduction(header, source.autoOrient(), pipeline.leadingResize());
            Mat image = ImageDecoder.decode(source.data(), header, reduction, source.autoOrient());
            List<ImageOps.Step> steps = new ArrayList<>();
            Mat out = ops.apply(image, pipeline.ops(), steps, reduction);
            ImageFormat format = pipeline.outputFormat(header.format());
            byte[] bytes = ImageEncoder.encode(out, format, pipeline.quality(format), pipeline.compression(),
                                               pipeline.lossless());
            return new Processed(bytes, format, out.cols(), out.rows(), steps);
        });
    }

    /**
     * Find faces.
     *
     * @param source image
     * @param query  detection settings
     * @param draw   whether to return the image with boxes drawn
     * @param output encoding of the drawn image (its type null = the source format)
     * @return faces
     */
    public FaceResult faces(Source source, FaceDetector.Query query, boolean draw, Op.Format output) {
        ImageHeader header = inspect(source);
        return run("faces", () -> {
            int w = source.autoOrient() ? header.displayWidth() : header.width();
            int h = source.autoOrient() ? header.displayHeight() : header.height();
            int reduction = 1;
            if (!draw) {
                double s = Math.min(1.0, (double) FaceDetector.DETECT_SIDE / Math.max(w, h));
                reduction = ImageDecoder.reductionFor(oriented(header, source.autoOrient()), (long) Math.ceil(w * s),
                                                      (long) Math.ceil(h * s));
            }
            Mat image = ImageDecoder.decode(source.data(), header, reduction, source.autoOrient());
            double back = (double) w / image.cols();
            FaceDetector.Query scaled = new FaceDetector.Query(query.cascade(), query.scaleFactor(),
                                                               query.minNeighbors(),
                                                               (int) Math.round(query.minSize() / back),
                                                               query.minConfidence());
            List<FaceDetector.Face> found = new ArrayList<>();
            for (FaceDetector.Face f : faces.detect(image, scaled)) {
                found.add(new FaceDetector.Face((int) Math.round(f.x() * back), (int) Math.round(f.y() * back),
                                                (int) Math.round(f.width() * back),
                                                (int) Math.round(f.height() * back), f.confidence()));
            }
            Processed drawn = null;
            if (draw) {
                Mat canvas = ImageDecoder.colour(image);
                int thickness = Math.max(2, Math.max(w, h) / 300);
                try (Scalar green = canvas.channels() == 4 ? new Scalar(0, 255, 0, 255) : new Scalar(0, 255, 0, 0)) {
                    for (FaceDetector.Face f : found) {
                        try (Point a = new Point(f.x(), f.y());
                             Point b = new Point(f.x() + f.width() - 1, f.y() + f.height() - 1)) {
                            rectangle(canvas, a, b, green, thickness, LINE_8, 0);
                        }
                    }
                }
                Pipeline encoding = new Pipeline(List.of(), output);
                ImageFormat format = encoding.outputFormat(header.format());
                drawn = new Processed(ImageEncoder.encode(canvas, format, encoding.quality(format),
                                                          encoding.compression(), encoding.lossless()),
                                      format, canvas.cols(), canvas.rows(), List.of());
            }
            return new FaceResult(w, h, query.cascade().id(), found, drawn);
        });
    }

    /**
     * Perceptual hashes.
     *
     * @param source image
     * @return hashes
     */
    public PerceptualHash.Hashes hash(Source source) {
        ImageHeader header = inspect(source);
        return run("hash", () -> {
            ImageHeader upright = oriented(header, source.autoOrient());
            int reduction = ImageDecoder.reductionFor(upright, Math.min(upright.displayWidth(), HASH_SIDE),
                                                      Math.min(upright.displayHeight(), HASH_SIDE));
            Mat image = ImageDecoder.decode(source.data(), header, reduction, source.autoOrient());
            return PerceptualHash.of(image);
        });
    }

    /**
     * Describe an image.
     *
     * @param source image
     * @param colors how many dominant colours
     * @return info
     */
    public Info info(Source source, int colors) {
        ImageHeader header = inspect(source);
        List<DominantColors.Swatch> swatches = run("info", () -> {
            ImageHeader upright = oriented(header, source.autoOrient());
            int reduction = ImageDecoder.reductionFor(upright, Math.min(upright.displayWidth(), COLOR_SIDE),
                                                      Math.min(upright.displayHeight(), COLOR_SIDE));
            Mat image = ImageDecoder.decode(source.data(), header, reduction, false);
            return DominantColors.of(image, colors);
        });
        return new Info(header.format(), header.width(), header.height(), header.channels(), header.orientation(),
                        swatches);
    }

    /**
     * The backend in use.
     *
     * @return backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * The worker pool.
     *
     * @return pool
     */
    public WorkerPool pool() {
        return pool;
    }

    /**
     * The limits.
     *
     * @return limits
     */
    public VisionLimits limits() {
        return limits;
    }

    // On a worker, inside a PointerScope that frees every native buffer the job made; OpenCV's own errors are 422.
    private <T> T run(String kind, Callable<T> job) {
        return pool.run(() -> {
            jobStart.accept(kind);
            try (PointerScope scope = new PointerScope()) {
                return job.call();
            } catch (VisionException e) {
                throw e;
            } catch (RuntimeException e) {
                String message = e.getMessage();
                if (message != null && message.startsWith("OpenCV(")) {
                    int nl = message.indexOf('\n');
                    throw VisionException.unprocessable("image_processing_failed", "OpenCV could not process the image: "
                            + (nl < 0 ? message : message.substring(0, nl)));
                }
                throw e;
            }
        });
    }

    // The header as the decoder will see it: without orientation when the caller turned it off.
    private static ImageHeader oriented(ImageHeader header, boolean autoOrient) {
        return autoOrient ? header : new ImageHeader(header.format(), header.width(), header.height(), header.channels(), 1);
    }

    // JPEG shrink-on-load for a leading resize: the largest reduction that still leaves at least the resize's input.
    private static int reduction(ImageHeader header, boolean autoOrient, Op.Resize resize) {
        if (resize == null || header.format() != ImageFormat.JPEG) {
            return 1;
        }
        ImageHeader upright = oriented(header, autoOrient);
        double w = upright.displayWidth();
        double h = upright.displayHeight();
        double s = switch (resize.mode()) {
            case FORCE -> Math.max(resize.width() / w, resize.height() / h);
            case FILL -> Math.max(resize.width() / w, resize.height() / h);
            default -> resize.width() != null && resize.height() != null
                    ? Math.min(resize.width() / w, resize.height() / h)
                    : resize.width() != null ? resize.width() / w : resize.height() / h;
        };
        if (s >= 1) {
            return 1;
        }
        return ImageDecoder.reductionFor(upright, (long) Math.ceil(w * s), (long) Math.ceil(h * s));
    }

    @Override
    public void close() {
        pool.close();
        faces.close();
    }
}
