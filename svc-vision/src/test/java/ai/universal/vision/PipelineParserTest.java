package ai.universal.vision;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Defaults and the precise 400 for every kind of mistake. */
class PipelineParserTest {
    private final PipelineParser parser = new PipelineParser(8192);

    private VisionException error(String json) {
        return assertThrows(VisionException.class, () -> parser.parse(json, Map.of()));
    }

    @Test
    void defaultsAreFilledIn() {
        Pipeline p = parser.parse("[{\"op\":\"resize\",\"width\":512},{\"op\":\"blur\"},{\"op\":\"watermark\",\"text\":\"x\"},"
                                          + "{\"op\":\"format\",\"type\":\"webp\"}]", Map.of());
        assertEquals(new Op.Resize(512, null, Op.ResizeMode.FIT, Gravity.CENTRE, 0.5, 0.5), p.ops().get(0));
        assertEquals(new Op.Blur(2.0), p.ops().get(1));
        Op.Watermark w = (Op.Watermark) p.ops().get(2);
        assertEquals(Gravity.SOUTH_EAST, w.position());
        assertEquals(0.5, w.opacity());
        assertEquals(ImageFormat.WEBP, p.outputFormat(ImageFormat.JPEG));
        assertEquals(80, p.quality(ImageFormat.WEBP));
        assertEquals(ImageFormat.PNG, parser.parse("[]", Map.of()).outputFormat(ImageFormat.PNG));
        assertNull(parser.parse(null, Map.of()).output());
    }

    @Test
    void everyMistakeNamesItsField() {
        assertEquals("pipeline[0].height", error("[{\"op\":\"resize\",\"width\":10,\"mode\":\"fill\"}]").field());
        assertEquals("resize mode 'fill' needs both 'width' and 'height'",
                     error("[{\"op\":\"resize\",\"width\":10,\"mode\":\"fill\"}]").getMessage());
        assertEquals("'mode' must be one of fit, fill, force, fit-down-only, not 'cover'",
                     error("[{\"op\":\"resize\",\"width\":10,\"mode\":\"cover\"}]").getMessage());
        assertEquals("'gravity' applies only to mode 'fill'",
                     error("[{\"op\":\"resize\",\"width\":10,\"gravity\":\"north\"}]").getMessage());
        assertEquals("'focus_x' is required (a number from 0 to 1)",
                     error("[{\"op\":\"resize\",\"width\":10,\"height\":10,\"mode\":\"fill\",\"gravity\":\"focus\"}]")
                             .getMessage());
        assertEquals("'width' must be an integer from 1 to 8192, not the string \"big\"",
                     error("[{\"op\":\"resize\",\"width\":\"big\"}]").getMessage());
        assertEquals("'sigma' must be a number from 0.1 to 100, not 0", error("[{\"op\":\"blur\",\"sigma\":0}]").getMessage());
        assertEquals("'high' (10.0) must not be below 'low' (50.0)",
                     error("[{\"op\":\"canny\",\"low\":50,\"high\":10}]").getMessage());
        assertEquals("'position' must be one of centre, north, south, east, west, north-east, north-west, south-east, "
                             + "south-west, not 'face'",
                     error("[{\"op\":\"watermark\",\"text\":\"x\",\"position\":\"face\"}]").getMessage());
        assertEquals("watermark needs exactly one of 'text' or 'image' (base64, or a multipart part named 'watermark')",
                     error("[{\"op\":\"watermark\"}]").getMessage());
        assertEquals("'quality' applies to jpeg and webp; png takes 'compression'",
                     error("[{\"op\":\"format\",\"type\":\"png\",\"quality\":80}]").getMessage());
        assertEquals("'background' must be a colour like #rgb, #rrggbb or #rrggbbaa, not 'red'",
                     error("[{\"op\":\"rotate\",\"angle\":10,\"background\":\"red\"}]").getMessage());
        assertEquals("pipeline[1] must be an object like {\"op\":\"resize\",...}",
                     error("[{\"op\":\"grayscale\"},3]").getMessage());
        assertEquals("'pipeline' must be a JSON array of operations like [{\"op\":\"resize\",\"width\":512}]",
                     error("{\"op\":\"grayscale\"}").getMessage());
    }
}
