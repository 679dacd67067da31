package ai.universal.vision;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import ai.universal.vision.VisionHarness.Part;
import ai.universal.vision.VisionHarness.Reply;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static ai.universal.vision.TestImages.png;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Corrupt, truncated, zero-byte, wrong-type and decompression-bomb inputs: each is a 4xx with a precise code, never a
 * 500 and never a crash (after each test the service still processes a good image).
 */
class HostileImagesTest {
    private final VisionHarness vision = VisionHarness.shared();

    @AfterEach
    void serviceStillWorks() {
        Reply r = vision.raw("/v1/vision/process", "image/png", png(TestImages.solid(8, 8, 1, 2, 3)));
        assertEquals(200, r.status(), "the service survives: " + r.text());
    }

    private void assertProblem(Reply r, int status, String code) {
        assertEquals(status, r.status(), r.text());
        assertEquals("application/problem+json", r.header("Content-Type"));
        JsonNode p = r.json();
        assertEquals(status, p.get("status").asInt());
        assertEquals(code, p.get("code").asText(), r.text());
    }

    @Test
    void zeroBytesWithImageTypeIsEmptyImage() {
        Reply r = vision.raw("/v1/vision/process", "image/jpeg", new byte[0]);
        assertProblem(r, 400, "empty_image");
        assertEquals("The image is empty (0 bytes)", r.json().get("detail").asText());
    }

    @Test
    void zeroByteMultipartPartIsEmptyImage() {
        assertProblem(vision.multipart("/v1/vision/info", Part.file("image", "x.png", "image/png", new byte[0])), 400,
                      "empty_image");
    }

    @Test
    void noImageAtAllIsMissingImage() {
        assertProblem(vision.multipart("/v1/vision/process", Part.text("pipeline", "[]")), 400, "missing_image");
    }

    @Test
    void textWithJpegExtensionIsUnsupportedFormat() {
        Reply r = vision.multipart("/v1/vision/process", Part.file("image", "holiday.jpg", "image/jpeg",
                                                                   "hello, not an image".getBytes(StandardCharsets.UTF_8)));
        assertProblem(r, 415, "unsupported_image_format");
        assertEquals("The bytes are not a JPEG, PNG or WebP image; supported: jpeg, png, webp", r.json().get("detail").asText());
    }

    @Test
    void pngSentAsJpegIsContentTypeMismatch() {
        Reply r = vision.raw("/v1/vision/process", "image/jpeg", png(TestImages.solid(8, 8, 0, 0, 0)));
        assertProblem(r, 415, "content_type_mismatch");
        assertEquals("The content type says image/jpeg but the bytes are a PNG image; send the matching type (image/png) "
                             + "or application/octet-stream", r.json().get("detail").asText());
    }

    @Test
    void gifAndSvgAreRefusedByName() {
        Reply gif = vision.raw("/v1/vision/info", "application/octet-stream",
                               "GIF89a\u0001\u0000\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1));
        assertProblem(gif, 415, "unsupported_image_format");
        assertEquals("The bytes are not a JPEG, PNG or WebP image (it looks like a GIF); supported: jpeg, png, webp",
                     gif.json().get("detail").asText());
        Reply svg = vision.raw("/v1/vision/info", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
                .getBytes(StandardCharsets.UTF_8));
        assertProblem(svg, 415, "unsupported_image_format");
    }

    @Test
    void nonImageContentTypeIsUnsupportedMediaType() {
        assertProblem(vision.raw("/v1/vision/process", "text/plain", "abc".getBytes(StandardCharsets.UTF_8)), 415,
                      "unsupported_media_type");
    }

    @Test
    void truncatedJpegPngAndWebpAreTruncatedImage() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene(300, 200, 1), 90);
        assertProblem(vision.raw("/v1/vision/process", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length * 2 / 3)), 422,
                      "truncated_image");
        assertProblem(vision.raw("/v1/vision/process", "image/jpeg", Arrays.copyOf(jpeg, 40)), 422, "truncated_image");
        byte[] png = png(TestImages.scene(300, 200, 1));
        assertProblem(vision.raw("/v1/vision/faces", "image/png", Arrays.copyOf(png, png.length / 2)), 422, "truncated_image");
        byte[] webp = TestImages.webp(TestImages.scene(300, 200, 1));
        assertProblem(vision.raw("/v1/vision/hash", "image/webp", Arrays.copyOf(webp, webp.length - 100)), 422,
                      "truncated_image");
    }

    @Test
    void corruptJpegTablesAreCorruptImage() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene(300, 200, 1), 90);
        for (int i = 2; i < jpeg.length - 4; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC4) {
                int length = ((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF);
                Arrays.fill(jpeg, i + 4, i + 2 + length, (byte) 0x7F);
                break;
            }
        }
        assertProblem(vision.raw("/v1/vision/process", "image/jpeg", jpeg), 422, "corrupt_image");
    }

    @Test
    void corruptPngDataIsCorruptImage() {
        byte[] png = png(TestImages.scene(200, 100, 2));
        // Keep the chunk structure, scramble the compressed pixel data inside IDAT.
        for (int i = 8; i < png.length - 12; i++) {
            if (png[i] == 'I' && png[i + 1] == 'D' && png[i + 2] == 'A' && png[i + 3] == 'T') {
                for (int j = i + 6; j < Math.min(png.length - 16, i + 400); j++) {
                    png[j] = (byte) (png[j] ^ 0x5A);
                }
                break;
            }
        }
        assertProblem(vision.raw("/v1/vision/process", "image/png", png), 422, "corrupt_image");
    }

    @Test
    void pixelBombIsRefusedFromTheHeader() {
        Reply r = vision.raw("/v1/vision/process", "image/png", TestImages.pngDeclaring(100_000, 100_000));
        assertProblem(r, 422, "image_too_large");
        assertEquals("The image declares 100000x100000 = 10000000000 pixels; at most 4000000 are accepted",
                     r.json().get("detail").asText());
        assertProblem(vision.raw("/v1/vision/info", "image/jpeg", TestImages.jpegDeclaring(65_000, 65_000)), 422,
                      "image_too_large");
    }

    @Test
    void wellCompressedBombOverTheLimitIsRefused() {
        // 3000 × 3000 black pixels compress to a few kilobytes but would decode to 27 MB.
        byte[] bomb = png(TestImages.solid(3000, 3000, 0, 0, 0));
        assertEquals(true, bomb.length < 100_000);
        assertProblem(vision.raw("/v1/vision/process", "image/png", bomb), 422, "image_too_large");
    }

    @Test
    void headerThatLiesAboutDimensionsIsCorrupt() {
        byte[] png = png(TestImages.solid(20, 10, 0, 0, 0));
        png[16 + 3] = 40;
        assertEquals(422, vision.raw("/v1/vision/process", "image/png", png).status());
    }

    @Test
    void malformedMultipartIsBadRequest() {
        Reply r = vision.raw("/v1/vision/process", "multipart/form-data; boundary=abc",
                             "--abc\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nxx"
                                     .getBytes(StandardCharsets.UTF_8));
        assertProblem(r, 400, "malformed_multipart");
    }

    @Test
    void bodyOverTheLimitIs413() {
        // Expect: 100-continue, as large uploads send it: the server refuses on Content-Length before the body
        // travels, so the client always reads the 413 (without it, the server may close while 9 MB are still
        // being written and the client sees a reset instead of the answer)
        Reply r = vision.send(vision.rawRequest("/v1/vision/process", "image/jpeg", new byte[9 * 1024 * 1024])
                                      .expectContinue(true));
        assertEquals(413, r.status());
    }

    @Test
    void animatedWebpIsRefused() {
        byte[] webp = {'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0,
                       0x02, 0, 0, 0, 9, 0, 0, 9, 0, 0};
        assertProblem(vision.raw("/v1/vision/process", "image/webp", webp), 415, "unsupported_image_format");
    }
}
