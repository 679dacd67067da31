package ai.universal.vision;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Parses and validates a pipeline, a JSON array such as
 * {@code [{"op":"resize","width":512,"mode":"fit"},{"op":"format","type":"webp","quality":80}]}. Every problem is a
 * 400 naming the field ({@code pipeline[0].width}) and the accepted values; unknown ops and unknown fields are errors
 * too (a typo must not silently do nothing).
 */
public final class PipelineParser {
    /** Most operations in one pipeline. */
    public static final int MAX_OPS = 32;
    /** Operation names, in documentation order. */
    public static final List<String> OPS = List.of("resize", "crop", "rotate", "flip", "grayscale", "blur", "sharpen",
                                                   "adjust", "canny", "threshold", "watermark", "format");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, List<String>> FIELDS = Map.ofEntries(
            Map.entry("resize", List.of("width", "height", "mode", "gravity", "focus_x", "focus_y")),
            Map.entry("crop", List.of("x", "y", "width", "height")),
            Map.entry("rotate", List.of("angle", "background")),
            Map.entry("flip", List.of("direction")),
            Map.entry("grayscale", List.of()),
            Map.entry("blur", List.of("sigma")),
            Map.entry("sharpen", List.of("sigma", "amount")),
            Map.entry("adjust", List.of("brightness", "contrast")),
            Map.entry("canny", List.of("low", "high", "aperture", "l2")),
            Map.entry("threshold", List.of("value", "type")),
            Map.entry("watermark", List.of("text", "image", "position", "opacity", "margin", "size", "color", "scale")),
            Map.entry("format", List.of("type", "quality", "compression", "lossless")));

    private final int maxSide;

    /**
     * Create.
     *
     * @param maxSide largest output width or height accepted in parameters
     */
    public PipelineParser(int maxSide) {
        this.maxSide = maxSide;
    }

    /**
     * Parse a pipeline.
     *
     * @param json        the JSON text, or null/blank for an empty pipeline (re-encode only)
     * @param attachments named binary parts (multipart {@code watermark})
     * @return pipeline
     */
    public Pipeline parse(String json, Map<String, byte[]> attachments) {
        if (json == null || json.isBlank()) {
            return new Pipeline(List.of(), null);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw VisionException.invalid("pipeline", "'pipeline' is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        if (root == null || !root.isArray()) {
            throw VisionException.invalid("pipeline", "'pipeline' must be a JSON array of operations like "
                    + "[{\"op\":\"resize\",\"width\":512}]");
        }
        if (root.size() > MAX_OPS) {
            throw VisionException.invalid("pipeline", "'pipeline' has " + root.size() + " operations; at most " + MAX_OPS);
        }
        List<Op> ops = new ArrayList<>();
        Op.Format format = null;
        for (int i = 0; i < root.size(); i++) {
            Fields f = new Fields(root.get(i), "pipeline[" + i + "]");
            Op op = op(f, attachments);
            if (op instanceof Op.Format fmt) {
                if (i != root.size() - 1) {
                    throw VisionException.invalid(f.path + ".op", "'format' must be the last operation");
                }
                format = fmt;
            } else {
                ops.add(op);
            }
        }
        return new Pipeline(ops, format);
    }

    private Op op(Fields f, Map<String, byte[]> attachments) {
        String name = f.requiredString("op");
        f.checkKnown(name);
        return switch (name) {
            case "resize" -> resize(f);
            case "crop" -> new Op.Crop(f.integer("x", 0, 0, Integer.MAX_VALUE), f.integer("y", 0, 0, Integer.MAX_VALUE),
                                       f.requiredInteger("width", 1, maxSide), f.requiredInteger("height", 1, maxSide));
            case "rotate" -> new Op.Rotate(f.requiredNumber("angle", -360, 360),
                                           f.color("background", Rgba.BLACK));
            case "flip" -> flip(f);
            case "grayscale" -> new Op.Grayscale();
            case "blur" -> new Op.Blur(f.number("sigma", 2.0, 0.1, 100));
            case "sharpen" -> new Op.Sharpen(f.number("sigma", 1.0, 0.1, 20), f.number("amount", 1.0, 0, 10));
            case "adjust" -> adjust(f);
            case "canny" -> canny(f);
            case "threshold" -> new Op.Threshold(f.number("value", 128, 0, 255),
                                                 f.choice("type", Op.ThresholdType.values(), Op.ThresholdType::id,
                                                          Op.ThresholdType.BINARY));
            case "watermark" -> watermark(f, attachments);
            case "format" -> format(f);
            default -> throw VisionException.invalid(f.path + ".op", "Unknown op '" + name + "'; known ops: "
                    + String.join(", ", OPS));
        };
    }

    private Op resize(Fields f) {
        Integer width = f.optionalInteger("width", 1, maxSide);
        Integer height = f.optionalInteger("height", 1, maxSide);
        Op.ResizeMode mode = f.choice("mode", Op.ResizeMode.values(), Op.ResizeMode::id, Op.ResizeMode.FIT);
        Gravity gravity = f.has("gravity") ? Gravity.parse(f.requiredString("gravity"), f.path + ".gravity", false)
                : Gravity.CENTRE;
        if (width == null && height == null) {
            throw VisionException.invalid(f.path + ".width", "resize needs 'width', 'height' or both");
        }
        if ((mode == Op.ResizeMode.FILL || mode == Op.ResizeMode.FORCE) && (width == null || height == null)) {
            throw VisionException.invalid(f.path + "." + (width == null ? "width" : "height"),
                                          "resize mode '" + mode.id() + "' needs both 'width' and 'height'");
        }
        if (gravity != Gravity.CENTRE && mode != Op.ResizeMode.FILL) {
            throw VisionException.invalid(f.path + ".gravity", "'gravity' applies only to mode 'fill'");
        }
        boolean focus = gravity == Gravity.FOCUS;
        if (!focus && (f.has("focus_x") || f.has("focus_y"))) {
            throw VisionException.invalid(f.path + ".focus_x", "'focus_x' and 'focus_y' need gravity 'focus'");
        }
        double fx = focus ? f.requiredNumber("focus_x", 0, 1) : 0.5;
        double fy = focus ? f.requiredNumber("focus_y", 0, 1) : 0.5;
        return new Op.Resize(width, height, mode, gravity, fx, fy);
    }

    private static Op flip(Fields f) {
        String direction = f.has("direction") ? f.requiredString("direction") : "horizontal";
        return switch (direction) {
            case "horizontal" -> new Op.Flip(true, false);
            case "vertical" -> new Op.Flip(false, true);
            case "both" -> new Op.Flip(true, true);
            default -> throw VisionException.invalid(f.path + ".direction", "'direction' must be one of horizontal, "
                    + "vertical, both, not '" + direction + "'");
        };
    }

    private static Op adjust(Fields f) {
        double brightness = f.number("brightness", 0, -255, 255);
        double contrast = f.number("contrast", 1, 0, 4);
        if (!f.has("brightness") && !f.has("contrast")) {
            throw VisionException.invalid(f.path + ".brightness", "adjust needs 'brightness', 'contrast' or both");
        }
        return new Op.Adjust(brightness, contrast);
    }

    private static Op canny(Fields f) {
        double low = f.number("low", 100, 0, 1000);
        double high = f.number("high", 200, 0, 1000);
        if (high < low) {
            throw VisionException.invalid(f.path + ".high", "'high' (" + high + ") must not be below 'low' (" + low + ")");
        }
        int aperture = f.integer("aperture", 3, 3, 7);
        if (aperture % 2 == 0) {
            throw VisionException.invalid(f.path + ".aperture", "'aperture' must be 3, 5 or 7, not " + aperture);
        }
        return new Op.Canny(low, high, aperture, f.bool("l2", false));
    }

    private Op watermark(Fields f, Map<String, byte[]> attachments) {
        String text = f.has("text") ? f.requiredString("text") : null;
        byte[] image = null;
        if (f.has("image")) {
            String encoded = f.requiredString("image");
            try {
                image = Base64.getDecoder().decode(encoded.replaceFirst("^data:[^,]*,", ""));
            } catch (IllegalArgumentException e) {
                throw VisionException.invalid(f.path + ".image", "'image' must be base64: " + e.getMessage());
            }
        } else if (text == null && attachments.containsKey("watermark")) {
            image = attachments.get("watermark");
        }
        if ((text == null) == (image == null)) {
            throw VisionException.invalid(f.path + ".text", "watermark needs exactly one of 'text' or 'image' "
                    + "(base64, or a multipart part named 'watermark')");
        }
        if (text != null && (text.isBlank() || text.length() > 200)) {
            throw VisionException.invalid(f.path + ".text", "'text' must have 1 to 200 characters");
        }
        if (text != null && !text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw VisionException.invalid(f.path + ".text", "'text' may contain printable ASCII only (the built-in "
                    + "Hershey fonts have no other glyphs)");
        }
        Gravity position = f.has("position") ? Gravity.parse(f.requiredString("position"), f.path + ".position", true)
                : Gravity.SOUTH_EAST;
        double opacity = f.number("opacity", 0.5, 0, 1);
        int margin = f.integer("margin", 16, 0, maxSide);
        Integer size = f.optionalInteger("size", 4, 2000);
        Rgba color = f.color("color", Rgba.WHITE);
        Double scale = f.has("scale") ? f.number("scale", 0.25, 0.01, 1) : null;
        if (text != null && scale != null) {
            throw VisionException.invalid(f.path + ".scale", "'scale' applies to an image watermark; use 'size' for text");
        }
        if (image != null && (size != null || f.has("color"))) {
            throw VisionException.invalid(f.path + (size != null ? ".size" : ".color"),
                                          "'size' and 'color' apply to a text watermark; use 'scale' for an image");
        }
        return new Op.Watermark(text, image, position, opacity, margin, size, color, scale);
    }

    private static Op format(Fields f) {
        ImageFormat type = f.has("type") ? ImageFormat.parse(f.requiredString("type"), f.path + ".type") : null;
        int quality = f.has("quality") ? f.requiredInteger("quality", 1, 100) : 0;
        int compression = f.has("compression") ? f.requiredInteger("compression", 0, 9) : -1;
        boolean lossless = f.bool("lossless", false);
        if (quality > 0 && type == ImageFormat.PNG) {
            throw VisionException.invalid(f.path + ".quality", "'quality' applies to jpeg and webp; png takes 'compression'");
        }
        if (compression >= 0 && type != null && type != ImageFormat.PNG) {
            throw VisionException.invalid(f.path + ".compression", "'compression' applies to png only");
        }
        if (lossless && type != ImageFormat.WEBP) {
            throw VisionException.invalid(f.path + ".lossless", "'lossless' applies to webp only");
        }
        return new Op.Format(type, quality, compression, lossless);
    }

    /** One op's JSON object: typed reads with precise errors, and a check that no unknown field is left. */
    private static final class Fields {
        private final JsonNode node;
        private final String path;

        Fields(JsonNode node, String path) {
            if (node == null || !node.isObject()) {
                throw VisionException.invalid(path, path + " must be an object like {\"op\":\"resize\",...}");
            }
            this.node = node;
            this.path = path;
        }

        boolean has(String name) {
            return node.has(name) && !node.get(name).isNull();
        }

        String requiredString(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' is required");
            }
            if (!v.isTextual()) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' must be a string, not " + kind(v));
            }
            return v.asText();
        }

        int requiredInteger(String name, int min, int max) {
            Integer v = optionalInteger(name, min, max);
            if (v == null) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' is required (an integer from " + min
                        + " to " + max + ")");
            }
            return v;
        }

        int integer(String name, int fallback, int min, int max) {
            Integer v = optionalInteger(name, min, max);
            return v == null ? fallback : v;
        }

        Integer optionalInteger(String name, int min, int max) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' must be an integer from " + min + " to "
                        + max + ", not " + kind(v));
            }
            double d = v.asDouble();
            if (d < min || d > max) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' must be an integer from " + min + " to "
                        + max + ", not " + v.asText());
            }
            return (int) d;
        }

        double requiredNumber(String name, double min, double max) {
            if (!has(name)) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' is required (a number from "
                        + fmt(min) + " to " + fmt(max) + ")");
            }
            return number(name, 0, min, max);
        }

        double number(String name, double fallback, double min, double max) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isNumber()) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' must be a number from " + fmt(min) + " to "
                        + fmt(max) + ", not " + kind(v));
            }
            double d = v.asDouble();
            if (!(d >= min && d <= max)) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' must be a number from " + fmt(min) + " to "
                        + fmt(max) + ", not " + v.asText());
            }
            return d;
        }

        boolean bool(String name, boolean fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw VisionException.invalid(path + "." + name, "'" + name + "' must be true or false, not " + kind(v));
            }
            return v.asBoolean();
        }

        Rgba color(String name, Rgba fallback) {
            return has(name) ? Rgba.parse(requiredString(name), path + "." + name) : fallback;
        }

        <E extends Enum<E>> E choice(String name, E[] values, java.util.function.Function<E, String> id, E fallback) {
            if (!has(name)) {
                return fallback;
            }
            String text = requiredString(name).toLowerCase(Locale.ROOT);
            for (E e : values) {
                if (id.apply(e).equals(text)) {
                    return e;
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : values) {
                names.add(id.apply(e));
            }
            throw VisionException.invalid(path + "." + name, "'" + name + "' must be one of " + String.join(", ", names)
                    + ", not '" + node.get(name).asText() + "'");
        }

        void checkKnown(String op) {
            List<String> known = FIELDS.get(op);
            if (known == null) {
                return;
            }
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!name.equals("op") && !known.contains(name)) {
                    throw VisionException.invalid(path + "." + name, "Unknown field '" + name + "' for op '" + op + "'"
                            + (known.isEmpty() ? "; it takes no fields" : "; known: " + String.join(", ", known)));
                }
            }
        }

        private static String kind(JsonNode v) {
            return v.isTextual() ? "the string \"" + v.asText() + "\"" : v.getNodeType().name().toLowerCase(Locale.ROOT)
                    + " " + v;
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
    }
}
