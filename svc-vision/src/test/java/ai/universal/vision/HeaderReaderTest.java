package ai.universal.vision;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Headers read without decoding: format, size, channels, orientation; incomplete containers refused. */
class HeaderReaderTest {

    @Test
    void readsJpegPngAndWebp() {
        assertEquals(new ImageHeader(ImageFormat.JPEG, 300, 200, 3, 1),
                     HeaderReader.read(TestImages.jpeg(TestImages.scene(300, 200, 0), 90)));
        assertEquals(new ImageHeader(ImageFormat.PNG, 30, 20, 3, 1),
                     HeaderReader.read(TestImages.png(TestImages.scene(30, 20, 0))));
        assertEquals(new ImageHeader(ImageFormat.PNG, 30, 20, 1, 1),
                     HeaderReader.read(TestImages.png(TestImages.grey(30, 20, 7))));
        assertEquals(new ImageHeader(ImageFormat.PNG, 30, 20, 4, 1),
                     HeaderReader.read(TestImages.png(TestImages.halfTransparent(30, 20))));
        assertEquals(new ImageHeader(ImageFormat.WEBP, 301, 201, 3, 1),
                     HeaderReader.read(TestImages.webp(TestImages.scene(301, 201, 0))));
    }

    @Test
    void readsExifOrientationAndDisplaySize() {
        ImageHeader h = HeaderReader.read(TestImages.withOrientation(TestImages.jpeg(TestImages.scene(300, 200, 0), 90), 8));
        assertEquals(8, h.orientation());
        assertEquals(200, h.displayWidth());
        assertEquals(300, h.displayHeight());
    }

    @Test
    void reportsBombDimensionsWithoutDecoding() {
        ImageHeader h = HeaderReader.read(TestImages.pngDeclaring(100_000, 50_000));
        assertEquals(5_000_000_000L, h.pixels());
        VisionException e = assertThrows(VisionException.class,
                                         () -> new VisionLimits(50_000_000, 16383, 1).checkSource(h));
        assertEquals("image_too_large", e.code());
    }

    @Test
    void refusesEmptyUnknownAndTruncated() {
        assertEquals("empty_image", assertThrows(VisionException.class, () -> HeaderReader.read(new byte[0])).code());
        assertEquals(415, assertThrows(VisionException.class, () -> HeaderReader.read(new byte[] {1, 2, 3})).status());
        byte[] jpeg = TestImages.jpeg(TestImages.scene(64, 64, 0), 90);
        VisionException cut = assertThrows(VisionException.class,
                                           () -> HeaderReader.read(java.util.Arrays.copyOf(jpeg, jpeg.length - 2)));
        assertEquals("truncated_image", cut.code());
        assertEquals("The JPEG image is truncated: the end-of-image marker is missing", cut.getMessage());
    }

    @Test
    void shrinkOnLoadPicksTheLargestSafeReduction() {
        ImageHeader h = new ImageHeader(ImageFormat.JPEG, 4000, 3000, 3, 1);
        assertEquals(4, ImageDecoder.reductionFor(h, 512, 384), "1000×750 ≥ 512×384, 500×375 is not");
        assertEquals(8, ImageDecoder.reductionFor(h, 500, 375));
        assertEquals(1, ImageDecoder.reductionFor(h, 3000, 3000));
        assertEquals(1, ImageDecoder.reductionFor(new ImageHeader(ImageFormat.PNG, 4000, 3000, 3, 1), 10, 10));
    }
}
