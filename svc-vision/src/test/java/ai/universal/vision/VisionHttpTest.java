package ai.universal.vision;

import java.util.Base64;

import ai.universal.vision.VisionHarness.Part;
import ai.universal.vision.VisionHarness.Reply;

import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static ai.universal.vision.TestImages.decode;
import static ai.universal.vision.TestImages.png;
import static ai.universal.vision.VisionHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoints over HTTP: inputs (raw, multipart), outputs (image, JSON), parameters and their 400s, auth. */
class VisionHttpTest {
    private final VisionHarness vision = VisionHarness.shared();

    @Test
    void processRawBodyReturnsTheImageWithItsType() {
        String pipeline = query("[{\"op\":\"resize\",\"width\":100},{\"op\":\"format\",\"type\":\"webp\",\"quality\":70}]");
        Reply r = vision.raw("/v1/vision/process?pipeline=" + pipeline, "image/png", png(TestImages.scene(400, 300, 1)));
        assertEquals(200, r.status(), r.text());
        assertEquals("image/webp", r.header("Content-Type"));
        assertEquals("100", r.header("X-Image-Width"));
        assertEquals("75", r.header("X-Image-Height"));
        assertEquals(ImageFormat.WEBP, HeaderReader.read(r.body()).format());
    }

    @Test
    void processMultipartWithJsonResponse() {
        Reply r = vision.multipart("/v1/vision/process",
                                   Part.file("image", "scene.jpg", "image/jpeg",
                                             TestImages.jpeg(TestImages.scene(300, 200, 2), 90)),
                                   Part.text("pipeline", "[{\"op\":\"resize\",\"width\":60,\"height\":60,\"mode\":\"fill\"},"
                                           + "{\"op\":\"grayscale\"},{\"op\":\"format\",\"type\":\"png\"}]"),
                                   Part.text("response", "json"));
        assertEquals(200, r.status(), r.text());
        assertEquals("application/json", r.header("Content-Type"));
        JsonNode body = r.json();
        assertEquals("png", body.get("format").asText());
        assertEquals(60, body.get("width").asInt());
        assertEquals(60, body.get("height").asInt());
        assertEquals("resize", body.get("steps").get(0).get("op").asText());
        assertEquals(200, body.get("steps").get(0).get("crop").get("height").asInt(), "in source pixels, after shrink-on-load");
        assertEquals(200, body.get("steps").get(0).get("crop").get("width").asInt());
        assertEquals(50, body.get("steps").get(0).get("crop").get("x").asInt());
        assertEquals("grayscale", body.get("steps").get(1).get("op").asText());
        byte[] image = Base64.getDecoder().decode(body.get("image").asText());
        assertEquals(body.get("bytes").asInt(), image.length);
        assertEquals(1, TestImages.decodeUnchanged(image).channels());
    }

    @Test
    void processWithoutPipelineReencodesInTheSourceFormat() {
        Reply r = vision.raw("/v1/vision/process", "application/octet-stream", TestImages.jpeg(TestImages.scene(50, 40, 0), 90));
        assertEquals(200, r.status());
        assertEquals("image/jpeg", r.header("Content-Type"));
        Mat m = decode(r.body());
        assertEquals(50, m.cols());
    }

    @Test
    void imageWatermarkFromMultipartPart() {
        Reply r = vision.multipart("/v1/vision/process",
                                   Part.file("image", "black.png", "image/png", png(TestImages.solid(100, 100, 0, 0, 0))),
                                   Part.file("watermark", "mark.png", "image/png", png(TestImages.solid(10, 10, 255, 255, 255))),
                                   Part.text("pipeline", "[{\"op\":\"watermark\",\"position\":\"north-west\",\"opacity\":1,"
                                           + "\"margin\":0},{\"op\":\"format\",\"type\":\"png\"}]"));
        assertEquals(200, r.status(), r.text());
        Mat m = decode(r.body());
        assertTrue(TestImages.near(TestImages.pixel(m, 5, 5), 255, 255, 255, 0));
        assertTrue(TestImages.near(TestImages.pixel(m, 50, 50), 0, 0, 0, 0));
    }

    @Test
    void badPipelineIsPrecise400WithField() {
        Reply r = vision.raw("/v1/vision/process?pipeline=" + query("[{\"op\":\"resize\",\"width\":0}]"), "image/png",
                             png(TestImages.solid(10, 10, 0, 0, 0)));
        assertEquals(400, r.status());
        assertEquals("application/problem+json", r.header("Content-Type"));
        JsonNode p = r.json();
        assertEquals("invalid_parameter", p.get("code").asText());
        assertEquals("pipeline[0].width", p.get("field").asText());
        assertEquals("'width' must be an integer from 1 to 16383, not 0", p.get("detail").asText());
        assertEquals(400, p.get("status").asInt());
    }

    @Test
    void unknownOpAndUnknownFieldAreNamed() {
        byte[] image = png(TestImages.solid(10, 10, 0, 0, 0));
        JsonNode op = vision.raw("/v1/vision/process?pipeline=" + query("[{\"op\":\"sepia\"}]"), "image/png", image).json();
        assertEquals("pipeline[0].op", op.get("field").asText());
        assertEquals("Unknown op 'sepia'; known ops: resize, crop, rotate, flip, grayscale, blur, sharpen, adjust, canny, "
                             + "threshold, watermark, format", op.get("detail").asText());
        JsonNode field = vision.raw("/v1/vision/process?pipeline=" + query("[{\"op\":\"blur\",\"radius\":3}]"), "image/png",
                                    image).json();
        assertEquals("pipeline[0].radius", field.get("field").asText());
        assertEquals("Unknown field 'radius' for op 'blur'; known: sigma", field.get("detail").asText());
        JsonNode json = vision.raw("/v1/vision/process?pipeline=" + query("[{\"op\":"), "image/png", image).json();
        assertEquals("pipeline", json.get("field").asText());
        assertTrue(json.get("detail").asText().startsWith("'pipeline' is not valid JSON"));
    }

    @Test
    void formatMustBeLastAndResponseMustBeKnown() {
        byte[] image = png(TestImages.solid(10, 10, 0, 0, 0));
        JsonNode last = vision.raw("/v1/vision/process?pipeline="
                                           + query("[{\"op\":\"format\",\"type\":\"png\"},{\"op\":\"grayscale\"}]"),
                                   "image/png", image).json();
        assertEquals("pipeline[0].op", last.get("field").asText());
        assertEquals("'format' must be the last operation", last.get("detail").asText());
        Reply response = vision.raw("/v1/vision/process?response=xml", "image/png", image);
        assertEquals(400, response.status());
        assertEquals("'response' must be one of image, json, not 'xml'", response.json().get("detail").asText());
    }

    @Test
    void outputLargerThanTheLimitIs422BeforeAllocating() {
        Reply r = vision.raw("/v1/vision/process?pipeline=" + query("[{\"op\":\"resize\",\"width\":16000,\"height\":16000,"
                                                                            + "\"mode\":\"force\"}]"),
                             "image/png", png(TestImages.solid(10, 10, 0, 0, 0)));
        assertEquals(422, r.status());
        assertEquals("output_too_large", r.json().get("code").asText());
    }

    @Test
    void facesFindsTheAstronaut() {
        Reply r = vision.raw("/v1/vision/faces", "image/png", TestImages.resource("astronaut.png"));
        assertEquals(200, r.status(), r.text());
        JsonNode body = r.json();
        assertEquals(512, body.get("width").asInt());
        assertEquals("haar", body.get("cascade").asText());
        assertEquals(1, body.get("count").asInt());
        JsonNode face = body.get("faces").get(0);
        assertTrue(face.get("x").asInt() > 150 && face.get("x").asInt() < 200, face.toString());
        assertTrue(face.get("y").asInt() > 40 && face.get("y").asInt() < 100, face.toString());
        assertTrue(face.get("width").asInt() > 70 && face.get("width").asInt() < 130, face.toString());
        assertTrue(face.get("confidence").asDouble() > 0, face.toString());
    }

    @Test
    void facesWithLbpAndDrawnBoxes() {
        Reply r = vision.raw("/v1/vision/faces?cascade=lbp&draw=true&format=png", "image/png",
                             TestImages.resource("astronaut.png"));
        assertEquals(200, r.status(), r.text());
        assertEquals("image/png", r.header("Content-Type"));
        assertEquals("1", r.header("X-Face-Count"));
        Reply json = vision.raw("/v1/vision/faces?cascade=lbp", "image/png", TestImages.resource("astronaut.png"));
        JsonNode face = json.json().get("faces").get(0);
        Mat drawn = decode(r.body());
        assertTrue(TestImages.near(TestImages.pixel(drawn, face.get("x").asInt(), face.get("y").asInt() + 10), 0, 255, 0, 0),
                   "green box edge at the face's left side");
    }

    @Test
    void facesOnAnImageWithoutFacesIsEmpty() {
        JsonNode body = vision.raw("/v1/vision/faces", "image/png", png(TestImages.checkerboard(200, 200, 20))).json();
        assertEquals(0, body.get("count").asInt());
        assertEquals(0, body.get("faces").size());
    }

    @Test
    void facesParametersAreValidated() {
        Reply r = vision.raw("/v1/vision/faces?scale_factor=5", "image/png", TestImages.resource("astronaut.png"));
        assertEquals(400, r.status());
        assertEquals("scale_factor", r.json().get("field").asText());
        Reply c = vision.raw("/v1/vision/faces?cascade=dnn", "image/png", TestImages.resource("astronaut.png"));
        assertEquals("'cascade' must be haar or lbp, not 'dnn'", c.json().get("detail").asText());
    }

    @Test
    void hashAndCompareNearDuplicates() {
        byte[] original = TestImages.resource("astronaut.png");
        byte[] smaller = DomainFixture.process(original, "[{\"op\":\"resize\",\"width\":200},{\"op\":\"format\","
                + "\"type\":\"jpeg\",\"quality\":80}]").data();
        JsonNode h = vision.raw("/v1/vision/hash", "image/png", original).json();
        assertEquals(16, h.get("perceptual").asText().length());
        assertEquals(64, h.get("bits").asInt());
        Reply same = vision.multipart("/v1/vision/compare", Part.file("a", "a.png", "image/png", original),
                                      Part.file("b", "b.jpg", "image/jpeg", smaller));
        assertEquals(200, same.status(), same.text());
        assertTrue(same.json().get("near_duplicate").asBoolean(), same.text());
        assertEquals("perceptual", same.json().get("algorithm").asText());
        assertEquals(h.get("perceptual").asText(), same.json().get("a").asText());
        Reply other = vision.multipart("/v1/vision/compare?algorithm=difference",
                                       Part.file("a", "a.png", "image/png", original),
                                       Part.file("b", "b.png", "image/png", png(TestImages.checkerboard(300, 300, 30))));
        assertEquals(false, other.json().get("near_duplicate").asBoolean(), other.text());
        assertEquals("difference", other.json().get("algorithm").asText());
    }

    @Test
    void compareHashesAsJson() {
        Reply r = vision.json("/v1/vision/compare", "{\"a\":\"ffff000000000000\",\"b\":\"ffff00000000000f\",\"threshold\":3}");
        assertEquals(200, r.status(), r.text());
        JsonNode body = r.json();
        assertEquals(4, body.get("distance").asInt());
        assertEquals(3, body.get("threshold").asInt());
        assertEquals(false, body.get("near_duplicate").asBoolean());
        assertEquals(0.9375, body.get("similarity").asDouble());
        Reply bad = vision.json("/v1/vision/compare", "{\"a\":\"xyz\",\"b\":\"ffff00000000000f\"}");
        assertEquals(400, bad.status());
        assertEquals("a", bad.json().get("field").asText());
    }

    @Test
    void infoReportsFormatSizeOrientationAndColours() {
        byte[] jpeg = TestImages.withOrientation(TestImages.jpeg(TestImages.redBlue(200, 100), 95), 6);
        Reply r = vision.raw("/v1/vision/info?colors=2", "image/jpeg", jpeg);
        assertEquals(200, r.status(), r.text());
        JsonNode body = r.json();
        assertEquals("jpeg", body.get("format").asText());
        assertEquals(200, body.get("width").asInt());
        assertEquals(100, body.get("height").asInt());
        assertEquals(3, body.get("channels").asInt());
        assertEquals(6, body.get("orientation").asInt());
        assertEquals(jpeg.length, body.get("bytes").asInt());
        JsonNode colours = body.get("dominant_colors");
        assertEquals(2, colours.size());
        assertEquals(0.5, colours.get(0).get("fraction").asDouble(), 0.03);
        assertEquals(0.5, colours.get(1).get("fraction").asDouble(), 0.03);
        String hexes = colours.get(0).get("hex").asText() + colours.get(1).get("hex").asText();
        assertTrue(hexes.contains("#fe0000") || hexes.contains("#ff0000"), hexes);
        assertTrue(hexes.contains("#0000fe") || hexes.contains("#0000ff"), hexes);
    }

    @Test
    void infoOfPngWithAlphaHasFourChannels() {
        JsonNode body = vision.multipart("/v1/vision/info", Part.file("image", "a.png", "image/png",
                                                                      png(TestImages.halfTransparent(20, 10)))).json();
        assertEquals("png", body.get("format").asText());
        assertEquals(4, body.get("channels").asInt());
        assertEquals(1, body.get("orientation").asInt());
        assertEquals("#0000ff", body.get("dominant_colors").get(0).get("hex").asText());
        assertEquals(1.0, body.get("dominant_colors").get(0).get("fraction").asDouble(), "transparent pixels are skipped");
    }

    @Test
    void capabilitiesNameTheBackend() {
        Reply r = vision.get("/v1/vision/capabilities");
        assertEquals(200, r.status());
        JsonNode body = r.json();
        assertEquals("cpu", body.get("backend").asText());
        assertEquals(12, body.get("ops").size());
        assertEquals(4000000, body.get("limits").get("max_pixels").asLong());
        assertEquals(false, body.get("fetch_enabled").asBoolean());
    }

    @Test
    void healthReportsTheBackend() {
        JsonNode body = vision.get("/health").json();
        assertEquals("UP", body.get("status").asText());
        JsonNode check = body.get("checks").get(0);
        assertEquals("vision", check.get("name").asText());
        assertEquals("backend cpu, 2 workers, 0 busy, 0 queued", check.get("detail").asText());
    }

    @Test
    void callersNeedCredentials() {
        Reply r = vision.noAuth("/v1/vision/info", "image/png", png(TestImages.solid(4, 4, 0, 0, 0)));
        assertEquals(401, r.status());
        assertEquals("unauthorized", r.json().get("code").asText());
    }
}
