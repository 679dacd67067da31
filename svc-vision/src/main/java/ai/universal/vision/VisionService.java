package ai.universal.vision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.Problem;
import ai.universal.kit.http.ProblemException;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The image endpoints. An image comes as the raw body (with its image Content-Type or application/octet-stream), as
 * multipart part {@code image}, or — when enabled — from {@code src}. Parameters are query parameters or multipart
 * text parts. Errors are problem+json with a stable {@code code} (and {@code field} for a bad parameter).
 *
 * <pre>
 * POST /v1/vision/process   pipeline=[{"op":…},…], response=image|json, auto_orient=true
 *                           → the image (Content-Type of the output format, X-Image-Width/Height) or
 *                             {"format","width","height","bytes","steps":[{"op","width","height",…}],"image":base64}
 * POST /v1/vision/faces     cascade=haar|lbp, scale_factor=1.1, min_neighbors=5, min_size=0, min_confidence,
 *                           draw=false, format, quality, response
 *                           → {"width","height","cascade","count","faces":[{"x","y","width","height","confidence"}]}
 *                             or, with draw=true, the image with boxes (X-Face-Count) or JSON with "image"
 * POST /v1/vision/hash      → {"average","difference","perceptual","bits":64}   (16 hex digits each)
 * POST /v1/vision/compare   multipart a + b (images) or JSON {"a":hex,"b":hex}; algorithm=perceptual, threshold=10
 *                           → {"algorithm","a","b","distance","threshold","near_duplicate","similarity"}
 * POST /v1/vision/info      colors=5 → {"format","width","height","channels","orientation","bytes",
 *                                       "dominant_colors":[{"hex","rgb","fraction"}]}
 * GET  /v1/vision/capabilities → {"backend","input_formats","output_formats","ops","limits",…}
 * </pre>
 */
final class VisionService implements HttpService {

    private final Vision vision;
    private final PipelineParser parser;
    private final RemoteImageFetcher fetcher;
    private final VisionConfig config;
    private final Access access;

    VisionService(Vision vision, PipelineParser parser, RemoteImageFetcher fetcher, VisionConfig config, Access access) {
        this.vision = vision;
        this.parser = parser;
        this.fetcher = fetcher;
        this.config = config;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/vision/process", guard(this::process))
                .post("/v1/vision/faces", guard(this::faces))
                .post("/v1/vision/hash", guard(this::hash))
                .post("/v1/vision/compare", guard(this::compare))
                .post("/v1/vision/info", guard(this::info))
                .get("/v1/vision/capabilities", guard(this::capabilities));
    }

    private Handler guard(Handler handler) {
        Handler mapped = (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (VisionException e) {
                throw problem(e);
            }
        };
        return config.requireAuth() ? access.authenticated(mapped) : mapped;
    }

    static ProblemException problem(VisionException e) {
        Map<String, Object> extra = e.field() == null ? Map.of() : Map.of("field", e.field());
        ProblemException p = new ProblemException(new Problem(e.status(), e.code(), title(e.status()), e.getMessage(), null,
                                                              extra));
        return e.retryAfterSeconds() > 0 ? p.withHeader("Retry-After", String.valueOf(e.retryAfterSeconds())) : p;
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    private void process(ServerRequest req, ServerResponse res) {
        Input in = input(req, "image");
        Pipeline pipeline = parser.parse(in.params().string("pipeline").orElse(null), in.attachments());
        boolean json = json(in.params());
        Vision.Processed out = vision.process(in.source("image"), pipeline);
        if (!json) {
            sendImage(res, out);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("format", out.format().id());
        body.put("width", out.width());
        body.put("height", out.height());
        body.put("bytes", out.data().length);
        body.put("steps", out.steps().stream().map(VisionService::step).toList());
        body.put("image", Base64.getEncoder().encodeToString(out.data()));
        res.send(body);
    }

    private static Map<String, Object> step(ImageOps.Step s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", s.op());
        m.put("width", s.width());
        m.put("height", s.height());
        if (s.detail() != null) {
            m.putAll(s.detail());
        }
        return m;
    }

    private void faces(ServerRequest req, ServerResponse res) {
        Input in = input(req, "image");
        Params p = in.params();
        FaceDetector.Query query = new FaceDetector.Query(
                FaceDetector.Cascade.parse(p.string("cascade").orElse("haar"), "cascade"),
                p.number("scale_factor", 1.1, 1.01, 2.0),
                p.integer("min_neighbors", 5, 0, 50),
                p.integer("min_size", 0, 0, config.maxSide()),
                p.number("min_confidence", Double.NEGATIVE_INFINITY, -1e9, 1e9));
        boolean draw = p.bool("draw", false);
        Op.Format output = outputFormat(p, draw);
        boolean json = json(p);
        Vision.FaceResult result = vision.faces(in.source("image"), query, draw, output);
        if (draw && !json) {
            res.header("X-Face-Count", String.valueOf(result.faces().size()));
            sendImage(res, result.drawn());
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("width", result.width());
        body.put("height", result.height());
        body.put("cascade", result.cascade());
        body.put("count", result.faces().size());
        body.put("faces", result.faces());
        if (result.drawn() != null) {
            body.put("format", result.drawn().format().id());
            body.put("image", Base64.getEncoder().encodeToString(result.drawn().data()));
        }
        res.send(body);
    }

    private static Op.Format outputFormat(Params p, boolean draw) {
        Optional<String> format = p.string("format");
        Optional<String> quality = p.string("quality");
        if (!draw && (format.isPresent() || quality.isPresent())) {
            throw VisionException.invalid(format.isPresent() ? "format" : "quality",
                                          "'format' and 'quality' apply only with draw=true");
        }
        ImageFormat type = format.map(f -> ImageFormat.parse(f, "format")).orElse(null);
        return new Op.Format(type, p.integer("quality", 0, 1, 100), -1, false);
    }

    private void hash(ServerRequest req, ServerResponse res) {
        Input in = input(req, "image");
        PerceptualHash.Hashes h = vision.hash(in.source("image"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("average", PerceptualHash.hex(h.average()));
        body.put("difference", PerceptualHash.hex(h.difference()));
        body.put("perceptual", PerceptualHash.hex(h.perceptual()));
        body.put("bits", 64);
        res.send(body);
    }

    private void compare(ServerRequest req, ServerResponse res) {
        String type = req.headers().contentType().map(HttpMediaType::text).orElse("");
        long a;
        long b;
        Params params;
        if (type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            JsonNode json = Json.tree(req);
            params = new Params(name -> Optional.ofNullable(json.get(name)).filter(n -> !n.isNull())
                    .map(JsonNode::asText).or(() -> req.query().first(name).asOptional()));
            PerceptualHash.Algorithm algorithm = algorithm(params);
            a = PerceptualHash.parse(params.string("a").orElse(null), "a");
            b = PerceptualHash.parse(params.string("b").orElse(null), "b");
            answerCompare(res, algorithm, a, b, params);
            return;
        }
        Input in = input(req, "a");
        params = in.params();
        PerceptualHash.Algorithm algorithm = algorithm(params);
        a = vision.hash(in.source("a")).get(algorithm);
        b = vision.hash(in.source("b")).get(algorithm);
        answerCompare(res, algorithm, a, b, params);
    }

    private static PerceptualHash.Algorithm algorithm(Params params) {
        return PerceptualHash.Algorithm.parse(params.string("algorithm").orElse("perceptual"), "algorithm");
    }

    private static void answerCompare(ServerResponse res, PerceptualHash.Algorithm algorithm, long a, long b, Params p) {
        int threshold = p.integer("threshold", 10, 0, 64);
        int distance = PerceptualHash.distance(a, b);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("algorithm", algorithm.id());
        body.put("a", PerceptualHash.hex(a));
        body.put("b", PerceptualHash.hex(b));
        body.put("distance", distance);
        body.put("threshold", threshold);
        body.put("near_duplicate", distance <= threshold);
        body.put("similarity", Math.round((1 - distance / 64.0) * 10000) / 10000.0);
        res.send(body);
    }

    private void info(ServerRequest req, ServerResponse res) {
        Input in = input(req, "image");
        int colors = in.params().integer("colors", 5, 1, 16);
        Vision.Source source = in.source("image");
        Vision.Info info = vision.info(source, colors);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("format", info.format().id());
        body.put("width", info.width());
        body.put("height", info.height());
        body.put("channels", info.channels());
        body.put("orientation", info.orientation());
        body.put("bytes", source.data().length);
        body.put("dominant_colors", info.dominantColors());
        res.send(body);
    }

    private void capabilities(ServerRequest req, ServerResponse res) {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("max_body_bytes", config.maxBodyBytes());
        limits.put("max_pixels", config.maxPixels());
        limits.put("max_side", config.maxSide());
        limits.put("timeout_ms", config.timeout().toMillis());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("backend", vision.backend().name());
        body.put("input_formats", List.of("jpeg", "png", "webp"));
        body.put("output_formats", List.of("jpeg", "png", "webp"));
        body.put("ops", PipelineParser.OPS);
        body.put("cascades", List.of("haar", "lbp"));
        body.put("hashes", List.of("average", "difference", "perceptual"));
        body.put("limits", limits);
        body.put("workers", vision.pool().workers());
        body.put("queue", config.queue());
        body.put("fetch_enabled", fetcher.enabled());
        res.send(body);
    }

    private static boolean json(Params p) {
        return p.choice("response", "image", "image", "json").equals("json");
    }

    private static void sendImage(ServerResponse res, Vision.Processed out) {
        res.header(HeaderNames.CONTENT_TYPE, out.format().mediaType())
                .header("X-Image-Width", String.valueOf(out.width()))
                .header("X-Image-Height", String.valueOf(out.height()))
                .send(out.data());
    }

    /**
     * The request's images and parameters.
     *
     * @param params      parameters (multipart text parts, then query)
     * @param images      images by part name ({@code image} for a raw body or a fetched {@code src})
     * @param attachments binary parts for the pipeline (multipart {@code watermark})
     * @param autoOrient  whether to apply EXIF orientation
     */
    private record Input(Params params, Map<String, Vision.Source> images, Map<String, byte[]> attachments,
                         boolean autoOrient) {
        Vision.Source source(String name) {
            Vision.Source s = images.get(name);
            if (s == null) {
                throw VisionException.badRequest("missing_image", "Send the image as multipart part '" + name + "'");
            }
            return s;
        }
    }

    private Input input(ServerRequest req, String mainPart) {
        String type = req.headers().contentType().map(HttpMediaType::text).orElse("");
        String lower = type.toLowerCase(Locale.ROOT);
        if (lower.startsWith("multipart/form-data")) {
            MultipartForm form = MultipartForm.parse(type, body(req));
            Params params = new Params(name -> {
                MultipartForm.Part part = form.part(name);
                return part != null && !isImagePart(name) ? Optional.of(part.text())
                        : req.query().first(name).asOptional();
            });
            boolean orient = params.bool("auto_orient", true);
            Map<String, Vision.Source> images = new LinkedHashMap<>();
            Map<String, byte[]> attachments = new LinkedHashMap<>();
            form.parts().forEach((name, part) -> {
                if (isImagePart(name)) {
                    images.put(name, new Vision.Source(part.data(), part.contentType(), orient));
                    attachments.put(name, part.data());
                }
            });
            if (!images.containsKey(mainPart)) {
                fetched(params, orient).ifPresent(s -> images.put(mainPart, s));
            }
            if (!images.containsKey(mainPart)) {
                throw VisionException.badRequest("missing_image", "The multipart body has no part named '" + mainPart + "'");
            }
            return new Input(params, images, attachments, orient);
        }
        Params params = new Params(name -> req.query().first(name).asOptional());
        boolean orient = params.bool("auto_orient", true);
        boolean imageType = lower.startsWith("image/") || lower.startsWith("application/octet-stream");
        if (req.content().hasEntity()) {
            if (!imageType) {
                throw VisionException.unsupported("unsupported_media_type", "Send the image as the raw body with an "
                        + "image/* or application/octet-stream Content-Type, or as multipart/form-data part '" + mainPart
                        + "'" + (type.isEmpty() ? "" : "; got " + type));
            }
            return new Input(params, Map.of("image", new Vision.Source(body(req), type, orient)), Map.of(), orient);
        }
        Optional<Vision.Source> fetched = fetched(params, orient);
        if (fetched.isPresent()) {
            return new Input(params, Map.of("image", fetched.get()), Map.of(), orient);
        }
        if (imageType) {
            throw VisionException.badRequest("empty_image", "The image is empty (0 bytes)");
        }
        throw VisionException.badRequest("missing_image", "Send an image: the raw body with its image Content-Type, "
                + "multipart part '" + mainPart + "', or 'src' (when fetching by URL is enabled)");
    }

    private static boolean isImagePart(String name) {
        return name.equals("image") || name.equals("a") || name.equals("b") || name.equals("watermark");
    }

    private Optional<Vision.Source> fetched(Params params, boolean orient) {
        Optional<String> src = params.string("src");
        if (src.isEmpty()) {
            return Optional.empty();
        }
        RemoteImageFetcher.Fetched f = fetcher.fetch(src.get());
        return Optional.of(new Vision.Source(f.data(), null, orient));
    }

    private static byte[] body(ServerRequest req) {
        try {
            return req.content().inputStream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
