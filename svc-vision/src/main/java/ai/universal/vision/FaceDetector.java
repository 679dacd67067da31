package ai.universal.vision;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.equalizeHist;

/**
 * Frontal face detection with the Haar and LBP cascades that ship inside the OpenCV jar. The cascade files are copied
 * to a temporary directory once at start-up; classifiers (not thread-safe in OpenCV) are pooled, at most one per
 * worker thread and cascade. Large images are scaled so their longer side is at most {@value #DETECT_SIDE} px before
 * detection; boxes come back in the caller's coordinates.
 */
public final class FaceDetector implements AutoCloseable {
    /** Longest side detection runs at. */
    public static final int DETECT_SIDE = 1024;

    /** The shipped cascades. */
    public enum Cascade {
        /** haarcascade_frontalface_default.xml: slower, more robust. */
        HAAR("haar", "haarcascades/haarcascade_frontalface_default.xml"),
        /** lbpcascade_frontalface_improved.xml: faster. */
        LBP("lbp", "lbpcascades/lbpcascade_frontalface_improved.xml");

        private final String id;
        private final String resource;

        Cascade(String id, String resource) {
            this.id = id;
            this.resource = resource;
        }

        /**
         * API name.
         *
         * @return name
         */
        public String id() {
            return id;
        }

        /**
         * Parse.
         *
         * @param name  name
         * @param field parameter for the error
         * @return cascade
         */
        public static Cascade parse(String name, String field) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "haar" -> HAAR;
                case "lbp" -> LBP;
                default -> throw VisionException.invalid(field, "'" + field + "' must be haar or lbp, not '" + name + "'");
            };
        }
    }

    /**
     * Detection settings.
     *
     * @param cascade       cascade
     * @param scaleFactor   image pyramid step, 1.01–2
     * @param minNeighbors  overlapping detections needed, 0–50
     * @param minSize       smallest face side in source pixels (0 = the cascade's window)
     * @param minConfidence drop faces whose confidence is below this
     */
    public record Query(Cascade cascade, double scaleFactor, int minNeighbors, int minSize, double minConfidence) {
        /** Defaults: Haar, 1.1, 5 neighbours, no minimum size, no confidence floor. */
        public static final Query DEFAULT = new Query(Cascade.HAAR, 1.1, 5, 0, Double.NEGATIVE_INFINITY);
    }

    /**
     * A face box in the image's pixels.
     *
     * @param x          left
     * @param y          top
     * @param width      width
     * @param height     height
     * @param confidence the cascade's level weight for the box (higher is surer; not a probability)
     */
    public record Face(int x, int y, int width, int height, double confidence) {
    }

    private final Path directory;
    private final Map<Cascade, Path> files = new EnumMap<>(Cascade.class);
    private final Map<Cascade, Queue<CascadeClassifier>> idle = new EnumMap<>(Cascade.class);
    private final Queue<CascadeClassifier> all = new ConcurrentLinkedQueue<>();

    /** Copy the cascades out of the OpenCV jar into a fresh temporary directory and check that they load. */
    public FaceDetector() {
        try {
            directory = Files.createTempDirectory("svc-vision-cascades");
            for (Cascade c : Cascade.values()) {
                Path file = directory.resolve(c.resource.substring(c.resource.indexOf('/') + 1));
                try (InputStream in = resource(c.resource)) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
                file.toFile().deleteOnExit();
                files.put(c, file);
                idle.put(c, new ConcurrentLinkedQueue<>());
                release(c, borrow(c));
            }
            directory.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy the face cascades to a temporary directory", e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        String platform = Loader.getPlatform();
        for (String dir : List.of(platform, platform + "-gpu")) {
            String path = "/org/bytedeco/opencv/" + dir + "/share/opencv4/" + name;
            InputStream in = org.bytedeco.opencv.opencv_java.class.getResourceAsStream(path);
            if (in != null) {
                return in;
            }
        }
        throw new IOException("The OpenCV jar for " + platform + " has no " + name);
    }

    /**
     * Detect faces.
     *
     * @param image BGR, BGRA or grey image
     * @param query settings
     * @return faces, largest first
     */
    public List<Face> detect(Mat image, Query query) {
        double scale = Math.min(1.0, (double) DETECT_SIDE / Math.max(image.cols(), image.rows()));
        try (Mat grey = new Mat(); Mat small = new Mat(); RectVector boxes = new RectVector();
             IntPointer levels = new IntPointer(); DoublePointer weights = new DoublePointer()) {
            if (image.channels() == 1) {
                image.copyTo(grey);
            } else {
                org.bytedeco.opencv.global.opencv_imgproc.cvtColor(image, grey,
                                                                    image.channels() == 4 ? COLOR_BGRA2GRAY : COLOR_BGR2GRAY);
            }
            Mat target = grey;
            if (scale < 1.0) {
                try (Size size = new Size(Math.max(1, (int) Math.round(image.cols() * scale)),
                                          Math.max(1, (int) Math.round(image.rows() * scale)))) {
                    org.bytedeco.opencv.global.opencv_imgproc.resize(grey, small, size, 0, 0, INTER_AREA);
                }
                target = small;
            }
            equalizeHist(target, target);
            int min = (int) Math.round(query.minSize() * scale);
            CascadeClassifier classifier = borrow(query.cascade());
            try (Size minSize = new Size(min, min); Size maxSize = new Size()) {
                classifier.detectMultiScale3(target, boxes, levels, weights, query.scaleFactor(), query.minNeighbors(), 0,
                                             minSize, maxSize, true);
            } finally {
                release(query.cascade(), classifier);
            }
            List<Face> faces = new ArrayList<>();
            for (int i = 0; i < boxes.size(); i++) {
                Rect r = boxes.get(i);
                double confidence = i < weights.limit() ? weights.get(i) : 0;
                if (confidence < query.minConfidence()) {
                    continue;
                }
                faces.add(new Face((int) Math.round(r.x() / scale), (int) Math.round(r.y() / scale),
                                   (int) Math.round(r.width() / scale), (int) Math.round(r.height() / scale),
                                   Math.round(confidence * 1000) / 1000.0));
            }
            faces.sort((a, b) -> Long.compare((long) b.width() * b.height(), (long) a.width() * a.height()));
            return faces;
        }
    }

    private CascadeClassifier borrow(Cascade cascade) {
        CascadeClassifier c = idle.get(cascade).poll();
        if (c != null) {
            return c;
        }
        CascadeClassifier created = new CascadeClassifier(files.get(cascade).toString());
        // Outlive the job's PointerScope: released in close().
        created.retainReference();
        if (created.empty()) {
            throw new IllegalStateException("OpenCV could not load the cascade " + files.get(cascade));
        }
        all.add(created);
        return created;
    }

    private void release(Cascade cascade, CascadeClassifier classifier) {
        idle.get(cascade).add(classifier);
    }

    @Override
    public void close() {
        CascadeClassifier c;
        while ((c = all.poll()) != null) {
            c.releaseReference();
        }
        for (Path file : files.values()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file; deleteOnExit covers it
            }
        }
    }
}
