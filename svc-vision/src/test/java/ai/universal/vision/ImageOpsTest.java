package ai.universal.vision;

import java.util.Base64;

import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static ai.universal.vision.TestImages.decode;
import static ai.universal.vision.TestImages.decodeUnchanged;
import static ai.universal.vision.TestImages.near;
import static ai.universal.vision.TestImages.pixel;
import static ai.universal.vision.TestImages.png;
import static org.bytedeco.opencv.global.opencv_core.countNonZero;
import static org.bytedeco.opencv.global.opencv_core.extractChannel;
import static org.bytedeco.opencv.global.opencv_core.meanStdDev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every operation on generated images whose right answer is known. */
class ImageOpsTest {

    @Test
    void fitKeepsAspectRatioOfCheckerboard() {
        Vision.Processed out = DomainFixture.process(png(TestImages.checkerboard(400, 200, 50)),
                                                     "[{\"op\":\"resize\",\"width\":100,\"height\":100}]");
        assertEquals(100, out.width());
        assertEquals(50, out.height());
        Mat m = decode(out.data());
        assertEquals(100, m.cols());
        assertEquals(50, m.rows());
        assertTrue(near(pixel(m, 5, 5), 255, 255, 255, 10), "top-left cell stays white");
        assertTrue(near(pixel(m, 17, 5), 0, 0, 0, 10), "second cell stays black");
    }

    @Test
    void fitWithOnlyWidthScalesHeight() {
        Vision.Processed out = DomainFixture.process(png(TestImages.checkerboard(300, 200, 10)),
                                                     "[{\"op\":\"resize\",\"width\":150}]");
        assertEquals(150, out.width());
        assertEquals(100, out.height());
    }

    @Test
    void fitEnlargesButFitDownOnlyDoesNot() {
        byte[] small = png(TestImages.checkerboard(40, 20, 10));
        assertEquals(200, DomainFixture.process(small, "[{\"op\":\"resize\",\"width\":200,\"mode\":\"fit\"}]").width());
        Vision.Processed kept = DomainFixture.process(small, "[{\"op\":\"resize\",\"width\":200,\"mode\":\"fit-down-only\"}]");
        assertEquals(40, kept.width());
        assertEquals(20, kept.height());
        Vision.Processed shrunk = DomainFixture.process(small, "[{\"op\":\"resize\",\"width\":20,\"mode\":\"fit-down-only\"}]");
        assertEquals(20, shrunk.width());
        assertEquals(10, shrunk.height());
    }

    @Test
    void forceIgnoresAspectRatio() {
        Vision.Processed out = DomainFixture.process(png(TestImages.checkerboard(400, 200, 50)),
                                                     "[{\"op\":\"resize\",\"width\":64,\"height\":64,\"mode\":\"force\"}]");
        assertEquals(64, out.width());
        assertEquals(64, out.height());
    }

    @Test
    void fillCropsAtGravity() {
        byte[] image = png(TestImages.redBlue(400, 200));
        Vision.Processed west = DomainFixture.process(image, "[{\"op\":\"resize\",\"width\":100,\"height\":100,"
                + "\"mode\":\"fill\",\"gravity\":\"west\"}]");
        assertEquals(100, west.width());
        assertEquals(100, west.height());
        assertTrue(near(pixel(decode(west.data()), 90, 50), 0, 0, 255, 10), "west crop is all red");
        assertEquals(java.util.Map.of("x", 0, "y", 0, "width", 200, "height", 200), west.steps().getFirst().detail().get("crop"));
        Vision.Processed east = DomainFixture.process(image, "[{\"op\":\"resize\",\"width\":100,\"height\":100,"
                + "\"mode\":\"fill\",\"gravity\":\"east\"}]");
        assertTrue(near(pixel(decode(east.data()), 10, 50), 255, 0, 0, 10), "east crop is all blue");
        Vision.Processed centre = DomainFixture.process(image, "[{\"op\":\"resize\",\"width\":100,\"height\":100,"
                + "\"mode\":\"fill\"}]");
        Mat c = decode(centre.data());
        assertTrue(near(pixel(c, 10, 50), 0, 0, 255, 10));
        assertTrue(near(pixel(c, 90, 50), 255, 0, 0, 10));
    }

    @Test
    void fillFocusPointCentresTheWindow() {
        Vision.Processed out = DomainFixture.process(png(TestImages.redBlue(400, 200)),
                                                     "[{\"op\":\"resize\",\"width\":50,\"height\":100,\"mode\":\"fill\","
                                                             + "\"gravity\":\"focus\",\"focus_x\":0.8,\"focus_y\":0.5}]");
        assertEquals(java.util.Map.of("x", 270, "y", 0, "width", 100, "height", 200),
                     out.steps().getFirst().detail().get("crop"));
    }

    @Test
    void fillSmartFindsTheBusyRegion() {
        // A checkerboard patch in the right third of a flat image: the smart window must cover it.
        Mat m = TestImages.solid(600, 200, 90, 90, 90);
        TestImages.checkerboard(150, 150, 10).copyTo(m.apply(new org.bytedeco.opencv.opencv_core.Rect(420, 25, 150, 150)));
        Vision.Processed out = DomainFixture.process(png(m), "[{\"op\":\"resize\",\"width\":100,\"height\":100,"
                + "\"mode\":\"fill\",\"gravity\":\"smart\"}]");
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> crop = (java.util.Map<String, Object>) out.steps().getFirst().detail().get("crop");
        int x = (Integer) crop.get("x");
        assertTrue(x >= 370 && x <= 400, "window starts near the patch, not at the centre (200): " + x);
    }

    @Test
    void cropCutsTheExactRectangle() {
        Vision.Processed out = DomainFixture.process(png(TestImages.rectangleOnBlack(200, 100, 50, 20, 30, 40)),
                                                     "[{\"op\":\"crop\",\"x\":50,\"y\":20,\"width\":30,\"height\":40}]");
        Mat m = decode(out.data());
        assertEquals(30, m.cols());
        assertEquals(40, m.rows());
        assertEquals(30 * 40, countNonZero(channel(m, 0)), "the crop is exactly the white rectangle");
    }

    @Test
    void cropOutsideTheImageIsPrecise400() {
        VisionException e = assertThrows(VisionException.class, () -> DomainFixture.process(
                png(TestImages.solid(100, 50, 1, 2, 3)), "[{\"op\":\"crop\",\"x\":80,\"y\":0,\"width\":30,\"height\":10}]"));
        assertEquals(400, e.status());
        assertEquals("pipeline[0]", e.field());
        assertEquals("crop 30x10 at 80,0 reaches beyond the 100x50 image", e.getMessage());
    }

    @Test
    void rotateQuarterTurnsMoveTheMarker() {
        byte[] image = png(TestImages.markerTopLeft(200, 100));
        Mat cw = decode(DomainFixture.process(image, "[{\"op\":\"rotate\",\"angle\":90}]").data());
        assertEquals(100, cw.cols());
        assertEquals(200, cw.rows());
        assertTrue(near(pixel(cw, 95, 5), 0, 0, 255, 5), "clockwise: marker at top-right");
        Mat ccw = decode(DomainFixture.process(image, "[{\"op\":\"rotate\",\"angle\":-90}]").data());
        assertTrue(near(pixel(ccw, 5, 195), 0, 0, 255, 5), "counter-clockwise: marker at bottom-left");
        Mat half = decode(DomainFixture.process(image, "[{\"op\":\"rotate\",\"angle\":180}]").data());
        assertTrue(near(pixel(half, 195, 95), 0, 0, 255, 5), "half turn: marker at bottom-right");
    }

    @Test
    void rotateArbitraryAngleEnlargesCanvasWithBackground() {
        Vision.Processed out = DomainFixture.process(png(TestImages.solid(100, 100, 0, 255, 0)),
                                                     "[{\"op\":\"rotate\",\"angle\":45,\"background\":\"#ff0000\"}]");
        assertEquals(142, out.width());
        assertEquals(142, out.height());
        Mat m = decode(out.data());
        assertTrue(near(pixel(m, 1, 1), 0, 0, 255, 5), "corner is the red background");
        assertTrue(near(pixel(m, 71, 71), 0, 255, 0, 5), "centre is the green image");
    }

    @Test
    void flipMirrorsTheMarker() {
        byte[] image = png(TestImages.markerTopLeft(200, 100));
        assertTrue(near(pixel(decode(DomainFixture.process(image, "[{\"op\":\"flip\"}]").data()), 195, 5), 0, 0, 255, 5));
        assertTrue(near(pixel(decode(DomainFixture.process(image, "[{\"op\":\"flip\",\"direction\":\"vertical\"}]")
                                             .data()), 5, 95), 0, 0, 255, 5));
        assertTrue(near(pixel(decode(DomainFixture.process(image, "[{\"op\":\"flip\",\"direction\":\"both\"}]")
                                             .data()), 195, 95), 0, 0, 255, 5));
    }

    @Test
    void grayscaleGivesOneChannelWithLuma() {
        Vision.Processed out = DomainFixture.process(png(TestImages.solid(10, 10, 0, 0, 255)), "[{\"op\":\"grayscale\"}]");
        Mat m = decodeUnchanged(out.data());
        assertEquals(1, m.channels());
        assertEquals(76, pixel(m, 5, 5)[0], "0.299 × 255 for pure red");
    }

    @Test
    void grayscaleKeepsAlpha() {
        Vision.Processed out = DomainFixture.process(png(TestImages.halfTransparent(20, 10)), "[{\"op\":\"grayscale\"}]");
        Mat m = decodeUnchanged(out.data());
        assertEquals(4, m.channels());
        assertEquals(255, pixel(m, 2, 5)[3]);
        assertEquals(0, pixel(m, 18, 5)[3]);
        assertEquals(29, pixel(m, 2, 5)[0], "0.114 × 255 for pure blue");
    }

    @Test
    void blurLowersContrastAndSharpenRaisesIt() {
        byte[] board = png(TestImages.checkerboard(64, 64, 4));
        double original = stddev(decode(board));
        double blurred = stddev(decode(DomainFixture.process(board, "[{\"op\":\"blur\",\"sigma\":3}]").data()));
        assertTrue(blurred < original * 0.5, "blur flattens a fine checkerboard: " + blurred + " vs " + original);
        byte[] soft = DomainFixture.process(board, "[{\"op\":\"blur\",\"sigma\":1}]").data();
        double before = stddev(decode(soft));
        double sharpened = stddev(decode(DomainFixture.process(soft, "[{\"op\":\"sharpen\",\"sigma\":1,\"amount\":2}]")
                                                 .data()));
        assertTrue(sharpened > before, "sharpen restores contrast: " + sharpened + " vs " + before);
    }

    @Test
    void adjustAppliesBrightnessAndContrastAroundMidGrey() {
        byte[] grey = png(TestImages.solid(10, 10, 100, 100, 100));
        assertArrayEquals(new int[] {150, 150, 150}, pixel(decode(DomainFixture.process(
                grey, "[{\"op\":\"adjust\",\"brightness\":50}]").data()), 5, 5));
        assertArrayEquals(new int[] {72, 72, 72}, pixel(decode(DomainFixture.process(
                grey, "[{\"op\":\"adjust\",\"contrast\":2}]").data()), 5, 5), "2 × (100 − 128) + 128");
    }

    @Test
    void cannyFindsTheRectangleBorderOnly() {
        Vision.Processed out = DomainFixture.process(png(TestImages.rectangleOnBlack(200, 200, 50, 50, 100, 100)),
                                                     "[{\"op\":\"canny\"},{\"op\":\"format\",\"type\":\"png\"}]");
        Mat edges = decodeUnchanged(out.data());
        assertEquals(1, edges.channels());
        assertEquals(255, pixel(edges, 100, 50)[0] | pixel(edges, 100, 49)[0], "top edge");
        assertEquals(255, pixel(edges, 50, 100)[0] | pixel(edges, 49, 100)[0], "left edge");
        assertEquals(0, pixel(edges, 100, 100)[0], "inside is flat");
        assertEquals(0, pixel(edges, 10, 10)[0], "outside is flat");
        int count = countNonZero(edges);
        assertTrue(count >= 396 && count <= 800, "about the 4 × 100 border pixels: " + count);
    }

    @Test
    void thresholdSplitsAtTheValueAndOtsuFindsIt() {
        Mat halves = TestImages.solid(100, 10, 60, 60, 60);
        TestImages.solid(50, 10, 200, 200, 200).copyTo(halves.apply(new org.bytedeco.opencv.opencv_core.Rect(50, 0, 50, 10)));
        byte[] image = png(halves);
        Mat binary = decodeUnchanged(DomainFixture.process(image, "[{\"op\":\"threshold\",\"value\":100}]").data());
        assertEquals(0, pixel(binary, 10, 5)[0]);
        assertEquals(255, pixel(binary, 90, 5)[0]);
        Vision.Processed otsu = DomainFixture.process(image, "[{\"op\":\"threshold\",\"type\":\"otsu\"}]");
        double value = (Double) otsu.steps().getFirst().detail().get("value");
        assertTrue(value >= 60 && value < 200, "Otsu picks a value between the two greys: " + value);
    }

    @Test
    void textWatermarkDrawsInTheChosenCornerOnly() {
        byte[] black = png(TestImages.solid(400, 200, 0, 0, 0));
        Mat m = decode(DomainFixture.process(black, "[{\"op\":\"watermark\",\"text\":\"(c) UAT\",\"position\":\"north-west\","
                + "\"opacity\":1,\"size\":30,\"margin\":10}]").data());
        int topLeft = countNonZero(channel(m.apply(new org.bytedeco.opencv.opencv_core.Rect(0, 0, 200, 100)), 1));
        int bottomRight = countNonZero(channel(m.apply(new org.bytedeco.opencv.opencv_core.Rect(200, 100, 200, 100)), 1));
        assertTrue(topLeft > 100, "text pixels in the top-left: " + topLeft);
        assertEquals(0, bottomRight, "nothing elsewhere");
    }

    @Test
    void imageWatermarkBlendsWithOpacity() {
        byte[] mark = png(TestImages.solid(20, 20, 255, 255, 255));
        String pipeline = "[{\"op\":\"watermark\",\"image\":\"" + Base64.getEncoder().encodeToString(mark)
                + "\",\"position\":\"south-east\",\"opacity\":0.5,\"margin\":0}]";
        Mat m = decode(DomainFixture.process(png(TestImages.solid(100, 100, 0, 0, 0)), pipeline).data());
        assertTrue(near(pixel(m, 90, 90), 128, 128, 128, 2), "half-white over black in the corner");
        assertTrue(near(pixel(m, 10, 10), 0, 0, 0, 0), "untouched elsewhere");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "webp"})
    void formatConvertsAndEncoderMatchesTheBytes(String type) {
        Vision.Processed out = DomainFixture.process(png(TestImages.scene(64, 48, 1)),
                                                     "[{\"op\":\"format\",\"type\":\"" + type + "\"}]");
        assertEquals(type, out.format().id());
        assertEquals(ImageFormat.parse(type, "t"), HeaderReader.read(out.data()).format());
        assertEquals(64, decode(out.data()).cols());
    }

    @Test
    void jpegQualityChangesSizeAndPngCompressionIsLossless() {
        byte[] scene = png(TestImages.scene(256, 256, 2));
        int q20 = DomainFixture.process(scene, "[{\"op\":\"format\",\"type\":\"jpeg\",\"quality\":20}]").data().length;
        int q95 = DomainFixture.process(scene, "[{\"op\":\"format\",\"type\":\"jpeg\",\"quality\":95}]").data().length;
        assertTrue(q20 < q95, q20 + " < " + q95);
        byte[] png0 = DomainFixture.process(scene, "[{\"op\":\"format\",\"type\":\"png\",\"compression\":0}]").data();
        byte[] png9 = DomainFixture.process(scene, "[{\"op\":\"format\",\"type\":\"png\",\"compression\":9}]").data();
        assertTrue(png9.length < png0.length);
        assertEquals(0, countNonZero(channel(diff(decode(png0), decode(png9)), 0)), "same pixels");
    }

    @Test
    void jpegOutputFlattensAlphaOntoWhite() {
        Vision.Processed out = DomainFixture.process(png(TestImages.halfTransparent(40, 20)),
                                                     "[{\"op\":\"format\",\"type\":\"jpeg\",\"quality\":95}]");
        Mat m = decode(out.data());
        assertTrue(near(pixel(m, 5, 10), 255, 0, 0, 8), "opaque blue stays blue");
        assertTrue(near(pixel(m, 35, 10), 255, 255, 255, 8), "transparent becomes white");
    }

    @Test
    void webpKeepsAlpha() {
        Vision.Processed out = DomainFixture.process(png(TestImages.halfTransparent(40, 20)),
                                                     "[{\"op\":\"format\",\"type\":\"webp\",\"lossless\":true}]");
        Mat m = decodeUnchanged(out.data());
        assertEquals(4, m.channels());
        assertEquals(0, pixel(m, 35, 10)[3]);
        assertEquals(255, pixel(m, 5, 10)[3]);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientationMatchesOpenCvsOwnUprightDecode(int orientation) {
        byte[] jpeg = TestImages.withOrientation(TestImages.jpeg(TestImages.markerTopLeft(80, 40), 95), orientation);
        assertEquals(orientation, HeaderReader.read(jpeg).orientation());
        Mat expected = decode(jpeg);
        Mat ours = decode(DomainFixture.process(jpeg, "[{\"op\":\"format\",\"type\":\"png\"}]").data());
        assertEquals(expected.cols(), ours.cols());
        assertEquals(expected.rows(), ours.rows());
        assertEquals(orientation >= 5 ? 40 : 80, ours.cols());
        assertEquals(0, countNonZero(channel(diff(expected, ours), 2)), "pixel-identical to OpenCV's oriented decode");
    }

    @Test
    void exifOrientationSixPutsTheMarkerTopRight() {
        byte[] jpeg = TestImages.withOrientation(TestImages.jpeg(TestImages.markerTopLeft(80, 40), 95), 6);
        Mat upright = decode(DomainFixture.process(jpeg, "[]").data());
        assertTrue(near(pixel(upright, 37, 2), 0, 0, 255, 40), "rotated clockwise: marker top-right");
        Mat stored = decode(DomainFixture.vision().process(new Vision.Source(jpeg, null, false),
                                                             new Pipeline(java.util.List.of(), null)).data());
        assertEquals(80, stored.cols(), "auto_orient=false keeps the stored layout");
    }

    @Test
    void jpegShrinkOnLoadGivesTheRequestedSize() {
        byte[] big = TestImages.jpeg(TestImages.scene(4000, 3000, 3), 90);
        Vision.Processed out = DomainFixture.process(big, "[{\"op\":\"resize\",\"width\":512}]");
        assertEquals(512, out.width());
        assertEquals(384, out.height());
        assertFalse(out.data().length == 0);
    }

    private static Mat channel(Mat m, int c) {
        if (m.channels() == 1) {
            return m;
        }
        Mat out = new Mat();
        extractChannel(m, out, c);
        return out;
    }

    private static Mat diff(Mat a, Mat b) {
        Mat out = new Mat();
        org.bytedeco.opencv.global.opencv_core.absdiff(a, b, out);
        return out;
    }

    private static double stddev(Mat m) {
        Mat mean = new Mat();
        Mat std = new Mat();
        meanStdDev(m, mean, std);
        return std.createIndexer().getDouble(0);
    }
}
