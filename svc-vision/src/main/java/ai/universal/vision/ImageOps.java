package ai.universal.vision;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32S;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_180;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.addWeighted;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_core.merge;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2BGRA;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGRA;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY_INV;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_OTSU;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_TOZERO;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_TRUNC;
import static org.bytedeco.opencv.global.opencv_imgproc.blendLinear;
import static org.bytedeco.opencv.global.opencv_imgproc.getFontScaleFromHeight;
import static org.bytedeco.opencv.global.opencv_imgproc.getRotationMatrix2D;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.integral;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

/**
 * Applies pipeline operations to 8-bit images with 1, 3 or 4 channels. Each operation checks its result size against
 * the output limits before allocating it, and every intermediate image is released as soon as the next one exists.
 * Colour-only operations (adjust, grayscale) leave the alpha channel alone; canny and threshold give one channel.
 */
public final class ImageOps {
    private static final int SMART_SIDE = 256;

    private final Backend backend;
    private final VisionLimits limits;
    private final FaceDetector faces;

    /**
     * Create.
     *
     * @param backend where resize/blur/colour/Canny run
     * @param limits  output limits
     * @param faces   face detector for gravity {@code face}
     */
    public ImageOps(Backend backend, VisionLimits limits, FaceDetector faces) {
        this.backend = backend;
        this.limits = limits;
        this.faces = faces;
    }

    /**
     * What one operation did.
     *
     * @param op     op name
     * @param width  width after it
     * @param height height after it
     * @param detail extra facts (the crop window of a fill, faces found, the Otsu threshold), or null
     */
    public record Step(String op, int width, int height, Map<String, Object> detail) {
    }

    /**
     * Apply operations in order.
     *
     * @param image     the image; ownership passes to this method (it may be released)
     * @param ops       operations
     * @param steps     receives one entry per operation
     * @param reduction how much the decoder already shrank the image (JPEG shrink-on-load), so that the first
     *                  step's crop window is reported in source pixels
     * @return the result, owned by the caller
     */
    public Mat apply(Mat image, List<Op> ops, List<Step> steps, int reduction) {
        Mat current = image;
        for (int i = 0; i < ops.size(); i++) {
            if (Thread.currentThread().isInterrupted()) {
                current.close();
                throw VisionException.unprocessable("processing_timeout", "Processing was stopped at the time limit");
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            Mat next;
            try {
                next = apply(current, ops.get(i), "pipeline[" + i + "]", detail);
            } catch (RuntimeException e) {
                current.close();
                throw e;
            }
            if (next != current) {
                current.close();
                current = next;
            }
            if (i == 0 && reduction > 1 && detail.get("crop") instanceof Map<?, ?> crop) {
                Map<String, Object> scaled = new LinkedHashMap<>();
                crop.forEach((k, v) -> scaled.put((String) k, (Integer) v * reduction));
                detail.put("crop", scaled);
            }
            steps.add(new Step(ops.get(i).name(), current.cols(), current.rows(), detail.isEmpty() ? null : detail));
        }
        return current;
    }

    private Mat apply(Mat m, Op op, String field, Map<String, Object> detail) {
        return switch (op) {
            case Op.Resize r -> resize(m, r, detail);
            case Op.Crop c -> crop(m, c, field);
            case Op.Rotate r -> rotateBy(m, r);
            case Op.Flip f -> {
                Mat out = new Mat();
                flip(m, out, f.horizontal() && f.vertical() ? -1 : f.horizontal() ? 1 : 0);
                yield out;
            }
            case Op.Grayscale g -> grayscale(m);
            case Op.Blur b -> {
                Mat out = new Mat();
                backend.gaussianBlur(m, out, b.sigma());
                yield out;
            }
            case Op.Sharpen s -> sharpen(m, s);
            case Op.Adjust a -> colourOnly(m, bgr -> {
                Mat out = new Mat();
                bgr.convertTo(out, -1, a.contrast(), 128 * (1 - a.contrast()) + a.brightness());
                return out;
            });
            case Op.Canny c -> {
                Mat grey = grey(m);
                Mat out = new Mat();
                backend.canny(grey, out, c.low(), c.high(), c.aperture(), c.l2());
                if (grey != m) {
                    grey.close();
                }
                yield out;
            }
            case Op.Threshold t -> thresholdBy(m, t, detail);
            case Op.Watermark w -> w.text() != null ? textWatermark(m, w) : imageWatermark(m, w, field);
            case Op.Format f -> m;
        };
    }

    private Mat resize(Mat m, Op.Resize r, Map<String, Object> detail) {
        int w = m.cols();
        int h = m.rows();
        Mat source = m;
        long tw;
        long th;
        switch (r.mode()) {
            case FORCE -> {
                tw = r.width();
                th = r.height();
            }
            case FILL -> {
                tw = r.width();
                th = r.height();
                double s = Math.max((double) tw / w, (double) th / h);
                int cw = (int) Math.min(w, Math.max(1, Math.round(tw / s)));
                int ch = (int) Math.min(h, Math.max(1, Math.round(th / s)));
                int[] at = place(m, cw, ch, r.gravity(), r.focusX(), r.focusY(), detail);
                detail.put("crop", Map.of("x", at[0], "y", at[1], "width", cw, "height", ch));
                limits.checkOutput("resize", tw, th);
                source = new Mat(m, new Rect(at[0], at[1], cw, ch));
            }
            default -> {
                double s = r.width() != null && r.height() != null
                        ? Math.min((double) r.width() / w, (double) r.height() / h)
                        : r.width() != null ? (double) r.width() / w : (double) r.height() / h;
                if (r.mode() == Op.ResizeMode.FIT_DOWN_ONLY && s >= 1) {
                    return m;
                }
                tw = Math.max(1, Math.round(w * s));
                th = Math.max(1, Math.round(h * s));
            }
        }
        limits.checkOutput("resize", tw, th);
        if (tw == source.cols() && th == source.rows()) {
            return source == m ? m : source.clone();
        }
        Mat out = new Mat();
        int interpolation = tw <= source.cols() && th <= source.rows() ? INTER_AREA : INTER_CUBIC;
        try (Size size = new Size((int) tw, (int) th)) {
            backend.resize(source, out, size, interpolation);
        }
        if (source != m) {
            source.close();
        }
        return out;
    }

    // Top-left corner of a cw × ch window inside m for a gravity.
    private int[] place(Mat m, int cw, int ch, Gravity g, double fx, double fy, Map<String, Object> detail) {
        int freeX = m.cols() - cw;
        int freeY = m.rows() - ch;
        double cx;
        double cy;
        switch (g) {
            case FOCUS -> {
                cx = fx * m.cols();
                cy = fy * m.rows();
            }
            case FACE -> {
                List<FaceDetector.Face> found = faces.detect(m, FaceDetector.Query.DEFAULT);
                detail.put("faces", found.size());
                if (found.isEmpty()) {
                    cx = m.cols() / 2.0;
                    cy = m.rows() / 2.0;
                } else {
                    int x0 = found.stream().mapToInt(FaceDetector.Face::x).min().orElse(0);
                    int y0 = found.stream().mapToInt(FaceDetector.Face::y).min().orElse(0);
                    int x1 = found.stream().mapToInt(f -> f.x() + f.width()).max().orElse(m.cols());
                    int y1 = found.stream().mapToInt(f -> f.y() + f.height()).max().orElse(m.rows());
                    cx = (x0 + x1) / 2.0;
                    cy = (y0 + y1) / 2.0;
                }
            }
            case SMART -> {
                return smart(m, cw, ch);
            }
            default -> {
                return new int[] {(int) Math.round(freeX * g.x()), (int) Math.round(freeY * g.y())};
            }
        }
        return new int[] {clamp((int) Math.round(cx - cw / 2.0), freeX), clamp((int) Math.round(cy - ch / 2.0), freeY)};
    }

    // The window with the most Canny edges on a small copy; ties go to the one nearest the centre.
    private int[] smart(Mat m, int cw, int ch) {
        double s = Math.min(1.0, (double) SMART_SIDE / Math.max(m.cols(), m.rows()));
        int sw = Math.max(1, (int) Math.round(m.cols() * s));
        int sh = Math.max(1, (int) Math.round(m.rows() * s));
        int ww = Math.min(sw, Math.max(1, (int) Math.round(cw * s)));
        int wh = Math.min(sh, Math.max(1, (int) Math.round(ch * s)));
        try (Mat small = new Mat(); Mat grey = new Mat(); Mat edges = new Mat(); Mat sums = new Mat();
             Size size = new Size(sw, sh)) {
            org.bytedeco.opencv.global.opencv_imgproc.resize(m, small, size, 0, 0, INTER_AREA);
            Mat g = grey(small);
            org.bytedeco.opencv.global.opencv_imgproc.Canny(g, edges, 50, 150);
            if (g != small) {
                g.close();
            }
            integral(edges, sums, CV_32S);
            int bestX = (sw - ww) / 2;
            int bestY = (sh - wh) / 2;
            long best = -1;
            double bestDistance = Double.MAX_VALUE;
            try (IntIndexer idx = sums.createIndexer()) {
                for (int y = 0; y <= sh - wh; y++) {
                    for (int x = 0; x <= sw - ww; x++) {
                        long sum = (long) idx.get(y + wh, x + ww) - idx.get(y, x + ww) - idx.get(y + wh, x) + idx.get(y, x);
                        double distance = Math.hypot(x - (sw - ww) / 2.0, y - (sh - wh) / 2.0);
                        if (sum > best || (sum == best && distance < bestDistance)) {
                            best = sum;
                            bestDistance = distance;
                            bestX = x;
                            bestY = y;
                        }
                    }
                }
            }
            return new int[] {clamp((int) Math.round(bestX / s), m.cols() - cw), clamp((int) Math.round(bestY / s),
                                                                                      m.rows() - ch)};
        }
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static Mat crop(Mat m, Op.Crop c, String field) {
        if ((long) c.x() + c.width() > m.cols() || (long) c.y() + c.height() > m.rows()) {
            throw VisionException.invalid(field, "crop " + c.width() + "x" + c.height() + " at " + c.x() + "," + c.y()
                    + " reaches beyond the " + m.cols() + "x" + m.rows() + " image");
        }
        return new Mat(m, new Rect(c.x(), c.y(), c.width(), c.height()));
    }

    private Mat rotateBy(Mat m, Op.Rotate r) {
        double a = ((r.angle() % 360) + 360) % 360;
        Mat out = new Mat();
        if (a == 0) {
            return m;
        } else if (a == 90 || a == 180 || a == 270) {
            if (a != 180) {
                limits.checkOutput("rotate", m.rows(), m.cols());
            }
            rotate(m, out, a == 90 ? ROTATE_90_CLOCKWISE : a == 180 ? ROTATE_180 : ROTATE_90_COUNTERCLOCKWISE);
            return out;
        }
        double radians = Math.toRadians(a);
        double cos = Math.abs(Math.cos(radians));
        double sin = Math.abs(Math.sin(radians));
        int nw = (int) Math.ceil(m.cols() * cos + m.rows() * sin - 1e-9);
        int nh = (int) Math.ceil(m.cols() * sin + m.rows() * cos - 1e-9);
        limits.checkOutput("rotate", nw, nh);
        Mat src = m;
        if (r.background().a() < 255 && m.channels() != 4) {
            src = new Mat();
            org.bytedeco.opencv.global.opencv_imgproc.cvtColor(m, src, m.channels() == 1 ? COLOR_GRAY2BGRA : COLOR_BGR2BGRA);
        }
        try (Point2f centre = new Point2f((m.cols() - 1) / 2f, (m.rows() - 1) / 2f);
             Mat matrix = getRotationMatrix2D(centre, -a, 1.0); Size size = new Size(nw, nh);
             DoubleIndexer idx = matrix.createIndexer()) {
            idx.put(0, 2, idx.get(0, 2) + (nw - 1) / 2.0 - (m.cols() - 1) / 2.0);
            idx.put(1, 2, idx.get(1, 2) + (nh - 1) / 2.0 - (m.rows() - 1) / 2.0);
            warpAffine(src, out, matrix, size, INTER_LINEAR, BORDER_CONSTANT, r.background().scalar(src.channels()));
        } finally {
            if (src != m) {
                src.close();
            }
        }
        return out;
    }

    private Mat grayscale(Mat m) {
        if (m.channels() == 1) {
            return m;
        }
        Mat grey = grey(m);
        if (m.channels() == 3) {
            return grey;
        }
        try (MatVector planes = new MatVector()) {
            split(m, planes);
            Mat out = new Mat();
            merge(new MatVector(grey, grey, grey, planes.get(3)), out);
            grey.close();
            return out;
        }
    }

    // One grey channel (the same Mat when it already is).
    private Mat grey(Mat m) {
        if (m.channels() == 1) {
            return m;
        }
        Mat grey = new Mat();
        backend.cvtColor(m, grey, m.channels() == 4 ? COLOR_BGRA2GRAY : COLOR_BGR2GRAY);
        return grey;
    }

    private Mat sharpen(Mat m, Op.Sharpen s) {
        try (Mat blurred = new Mat()) {
            backend.gaussianBlur(m, blurred, s.sigma());
            Mat out = new Mat();
            addWeighted(m, 1 + s.amount(), blurred, -s.amount(), 0, out);
            return out;
        }
    }

    private Mat thresholdBy(Mat m, Op.Threshold t, Map<String, Object> detail) {
        Mat grey = grey(m);
        Mat out = new Mat();
        int type = switch (t.type()) {
            case BINARY -> THRESH_BINARY;
            case BINARY_INV -> THRESH_BINARY_INV;
            case TRUNC -> THRESH_TRUNC;
            case TOZERO -> THRESH_TOZERO;
            case OTSU -> THRESH_BINARY | THRESH_OTSU;
        };
        double used = threshold(grey, out, t.value(), 255, type);
        if (t.type() == Op.ThresholdType.OTSU) {
            detail.put("value", used);
        }
        if (grey != m) {
            grey.close();
        }
        return out;
    }

    private interface Transform {
        Mat apply(Mat colour);
    }

    // Apply to the colour channels only; a 4-channel image keeps its alpha.
    private static Mat colourOnly(Mat m, Transform transform) {
        if (m.channels() != 4) {
            return transform.apply(m);
        }
        try (Mat bgr = new Mat(); MatVector planes = new MatVector()) {
            org.bytedeco.opencv.global.opencv_imgproc.cvtColor(m, bgr, COLOR_BGRA2BGR);
            split(m, planes);
            Mat done = transform.apply(bgr);
            try (MatVector parts = new MatVector()) {
                split(done, parts);
                Mat out = new Mat();
                merge(new MatVector(parts.get(0), parts.get(1), parts.get(2), planes.get(3)), out);
                done.close();
                return out;
            }
        }
    }

    private static Mat textWatermark(Mat m, Op.Watermark w) {
        int height = w.size() != null ? w.size() : Math.max(12, m.rows() / 20);
        int thickness = Math.max(1, Math.round(height / 12f));
        double scale = getFontScaleFromHeight(FONT_HERSHEY_SIMPLEX, height, thickness);
        int[] baseline = new int[1];
        Size text = getTextSize(w.text(), FONT_HERSHEY_SIMPLEX, scale, thickness, baseline);
        int room = m.cols() - 2 * w.margin();
        if (text.width() > room && room > 0) {
            scale *= (double) room / text.width();
            text = getTextSize(w.text(), FONT_HERSHEY_SIMPLEX, scale, thickness, baseline);
        }
        int boxW = Math.min(m.cols(), text.width() + 2 * thickness);
        int boxH = Math.min(m.rows(), text.height() + baseline[0] + 2 * thickness);
        int x = w.margin() + (int) Math.round(Math.max(0, m.cols() - 2 * w.margin() - boxW) * w.position().x());
        int y = w.margin() + (int) Math.round(Math.max(0, m.rows() - 2 * w.margin() - boxH) * w.position().y());
        x = clamp(x, m.cols() - boxW);
        y = clamp(y, m.rows() - boxH);
        double opacity = w.opacity() * w.color().a() / 255.0;
        try (Mat roi = new Mat(m, new Rect(x, y, boxW, boxH)); Mat overlay = roi.clone();
             Point origin = new Point(thickness, thickness + text.height())) {
            putText(overlay, w.text(), origin, FONT_HERSHEY_SIMPLEX, scale, w.color().scalar(m.channels()), thickness,
                    LINE_AA, false);
            addWeighted(overlay, opacity, roi, 1 - opacity, 0, roi);
        }
        text.close();
        return m;
    }

    private Mat imageWatermark(Mat m, Op.Watermark w, String field) {
        ImageHeader header;
        try {
            header = HeaderReader.read(w.image());
        } catch (VisionException e) {
            throw VisionException.invalid(field + ".image", "The watermark image is unusable: " + e.getMessage());
        }
        if (header.pixels() > limits.maxWatermarkPixels()) {
            throw VisionException.invalid(field + ".image", "The watermark image has " + header.pixels()
                    + " pixels; at most " + limits.maxWatermarkPixels());
        }
        Mat mark = ImageDecoder.decode(w.image(), header, 1, true);
        int room = Math.max(1, m.cols() - 2 * w.margin());
        int roomH = Math.max(1, m.rows() - 2 * w.margin());
        double s = w.scale() != null ? w.scale() * m.cols() / mark.cols() : 1.0;
        s = Math.min(s, Math.min((double) room / mark.cols(), (double) roomH / mark.rows()));
        int mw = Math.max(1, (int) Math.round(mark.cols() * s));
        int mh = Math.max(1, (int) Math.round(mark.rows() * s));
        if (mw != mark.cols() || mh != mark.rows()) {
            Mat resized = new Mat();
            try (Size size = new Size(mw, mh)) {
                backend.resize(mark, resized, size, s < 1 ? INTER_AREA : INTER_CUBIC);
            }
            mark.close();
            mark = resized;
        }
        int x = clamp(w.margin() + (int) Math.round((m.cols() - 2 * w.margin() - mw) * w.position().x()), m.cols() - mw);
        int y = clamp(w.margin() + (int) Math.round((m.rows() - 2 * w.margin() - mh) * w.position().y()), m.rows() - mh);
        try (Mat weights = new Mat(); Mat inverse = new Mat(); Mat matched = matchChannels(mark, m.channels());
             Mat roi = new Mat(m, new Rect(x, y, mw, mh))) {
            if (mark.channels() == 4) {
                try (MatVector planes = new MatVector()) {
                    split(mark, planes);
                    planes.get(3).convertTo(weights, CV_32F, w.opacity() / 255.0, 0);
                }
            } else {
                weights.create(mh, mw, CV_32F);
                weights.put(new org.bytedeco.opencv.opencv_core.Scalar(w.opacity()));
            }
            weights.convertTo(inverse, CV_32F, -1, 1);
            blendLinear(matched, roi, weights, inverse, roi);
        } finally {
            mark.close();
        }
        return m;
    }

    private static Mat matchChannels(Mat mark, int channels) {
        Mat out = new Mat();
        int have = mark.channels();
        if (have == channels) {
            mark.copyTo(out);
            return out;
        }
        int code = switch (channels) {
            case 1 -> have == 4 ? COLOR_BGRA2GRAY : COLOR_BGR2GRAY;
            case 3 -> have == 4 ? COLOR_BGRA2BGR : COLOR_GRAY2BGR;
            default -> have == 1 ? COLOR_GRAY2BGRA : COLOR_BGR2BGRA;
        };
        org.bytedeco.opencv.global.opencv_imgproc.cvtColor(mark, out, code);
        return out;
    }
}
