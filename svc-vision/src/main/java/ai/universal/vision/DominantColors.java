package ai.universal.vision;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * The most common colours: the image is sampled down to at most 128×128 (nearest neighbour, so no blended colours
 * appear), each pixel falls in one of 16×16×16 RGB boxes, and the fullest boxes are reported with their mean colour
 * and their share of the (non-transparent) pixels. Deterministic: the same image always gives the same answer.
 */
public final class DominantColors {
    private static final int SAMPLE_SIDE = 128;

    /**
     * One colour.
     *
     * @param hex      {@code #rrggbb}
     * @param rgb      red, green, blue
     * @param fraction share of the pixels, 0–1
     */
    public record Swatch(String hex, int[] rgb, double fraction) {
    }

    private DominantColors() {
    }

    /**
     * The top colours.
     *
     * @param image 1, 3 or 4 channel 8-bit image
     * @param count how many
     * @return swatches, commonest first
     */
    public static List<Swatch> of(Mat image, int count) {
        double s = Math.min(1.0, (double) SAMPLE_SIDE / Math.max(image.cols(), image.rows()));
        try (Mat small = new Mat(); Size size = new Size(Math.max(1, (int) Math.round(image.cols() * s)),
                                                          Math.max(1, (int) Math.round(image.rows() * s)))) {
            resize(image, small, size, 0, 0, INTER_NEAREST);
            int channels = small.channels();
            long[] counts = new long[4096];
            long[][] sums = new long[4096][3];
            long total = 0;
            try (UByteIndexer px = small.createIndexer()) {
                for (int y = 0; y < small.rows(); y++) {
                    for (int x = 0; x < small.cols(); x++) {
                        int b;
                        int g;
                        int r;
                        if (channels == 1) {
                            b = px.get(y, x, 0);
                            g = b;
                            r = b;
                        } else {
                            if (channels == 4 && px.get(y, x, 3) < 128) {
                                continue;
                            }
                            b = px.get(y, x, 0);
                            g = px.get(y, x, 1);
                            r = px.get(y, x, 2);
                        }
                        int box = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
                        counts[box]++;
                        sums[box][0] += r;
                        sums[box][1] += g;
                        sums[box][2] += b;
                        total++;
                    }
                }
            }
            List<Integer> boxes = new ArrayList<>();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0) {
                    boxes.add(i);
                }
            }
            boxes.sort(Comparator.comparingLong((Integer i) -> -counts[i]).thenComparingInt(i -> i));
            List<Swatch> swatches = new ArrayList<>();
            for (int i = 0; i < Math.min(count, boxes.size()); i++) {
                int box = boxes.get(i);
                int r = (int) Math.round((double) sums[box][0] / counts[box]);
                int g = (int) Math.round((double) sums[box][1] / counts[box]);
                int b = (int) Math.round((double) sums[box][2] / counts[box]);
                swatches.add(new Swatch(new Rgba(r, g, b, 255).hex(), new int[] {r, g, b},
                                        Math.round((double) counts[box] / total * 10000) / 10000.0));
            }
            return swatches;
        }
    }
}
