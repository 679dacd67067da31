package ai.universal.vision;

/**
 * One step of a processing pipeline, as parsed and validated by {@link PipelineParser}. The JSON field names are in
 * each record's comment; {@link ImageOps} applies them.
 */
public sealed interface Op {

    /**
     * The op's name in the API.
     *
     * @return name
     */
    String name();

    /** How {@code resize} treats the aspect ratio. */
    enum ResizeMode {
        /** Fit inside width × height, keeping the aspect ratio (may enlarge). */
        FIT("fit"),
        /** Cover width × height exactly, cropping the overflow at the gravity. */
        FILL("fill"),
        /** Exactly width × height, ignoring the aspect ratio. */
        FORCE("force"),
        /** Like fit, but never enlarges. */
        FIT_DOWN_ONLY("fit-down-only");

        private final String id;

        ResizeMode(String id) {
            this.id = id;
        }

        /**
         * API name.
         *
         * @return name
         */
        public String id() {
            return id;
        }
    }

    /** {@code threshold} types. */
    enum ThresholdType {
        /** Above the value → 255, else 0. */
        BINARY("binary"),
        /** Above the value → 0, else 255. */
        BINARY_INV("binary-inv"),
        /** Above the value → the value. */
        TRUNC("trunc"),
        /** Below the value → 0. */
        TOZERO("tozero"),
        /** Binary with the value chosen by Otsu's method. */
        OTSU("otsu");

        private final String id;

        ThresholdType(String id) {
            this.id = id;
        }

        /**
         * API name.
         *
         * @return name
         */
        public String id() {
            return id;
        }
    }

    /**
     * {@code {"op":"resize","width","height","mode","gravity","focus_x","focus_y"}}.
     *
     * @param width   target width or null (kept in proportion)
     * @param height  target height or null
     * @param mode    fit / fill / force / fit-down-only
     * @param gravity where fill crops
     * @param focusX  focus point 0–1 (gravity focus)
     * @param focusY  focus point 0–1
     */
    record Resize(Integer width, Integer height, ResizeMode mode, Gravity gravity, double focusX, double focusY)
            implements Op {
        @Override
        public String name() {
            return "resize";
        }
    }

    /**
     * {@code {"op":"crop","x","y","width","height"}} in pixels of the current image.
     *
     * @param x      left
     * @param y      top
     * @param width  width
     * @param height height
     */
    record Crop(int x, int y, int width, int height) implements Op {
        @Override
        public String name() {
            return "crop";
        }
    }

    /**
     * {@code {"op":"rotate","angle","background"}}: clockwise degrees; quarter turns are exact, other angles enlarge
     * the canvas and fill the corners with the background.
     *
     * @param angle      degrees clockwise
     * @param background corner fill
     */
    record Rotate(double angle, Rgba background) implements Op {
        @Override
        public String name() {
            return "rotate";
        }
    }

    /**
     * {@code {"op":"flip","direction":"horizontal"|"vertical"|"both"}}.
     *
     * @param horizontal mirror left-right
     * @param vertical   mirror top-bottom
     */
    record Flip(boolean horizontal, boolean vertical) implements Op {
        @Override
        public String name() {
            return "flip";
        }
    }

    /** {@code {"op":"grayscale"}} (alpha is kept). */
    record Grayscale() implements Op {
        @Override
        public String name() {
            return "grayscale";
        }
    }

    /**
     * {@code {"op":"blur","sigma"}}: Gaussian.
     *
     * @param sigma standard deviation in pixels
     */
    record Blur(double sigma) implements Op {
        @Override
        public String name() {
            return "blur";
        }
    }

    /**
     * {@code {"op":"sharpen","sigma","amount"}}: unsharp mask.
     *
     * @param sigma  blur radius of the mask
     * @param amount strength
     */
    record Sharpen(double sigma, double amount) implements Op {
        @Override
        public String name() {
            return "sharpen";
        }
    }

    /**
     * {@code {"op":"adjust","brightness","contrast"}}: out = contrast × (in − 128) + 128 + brightness.
     *
     * @param brightness −255…255
     * @param contrast   0…4
     */
    record Adjust(double brightness, double contrast) implements Op {
        @Override
        public String name() {
            return "adjust";
        }
    }

    /**
     * {@code {"op":"canny","low","high","aperture","l2"}}: edge map (one channel, 0 or 255).
     *
     * @param low      lower hysteresis threshold
     * @param high     upper hysteresis threshold
     * @param aperture Sobel aperture 3, 5 or 7
     * @param l2       L2 gradient norm
     */
    record Canny(double low, double high, int aperture, boolean l2) implements Op {
        @Override
        public String name() {
            return "canny";
        }
    }

    /**
     * {@code {"op":"threshold","value","type"}} on the grey image (one channel out).
     *
     * @param value threshold 0–255 (ignored by otsu)
     * @param type  binary / binary-inv / trunc / tozero / otsu
     */
    record Threshold(double value, ThresholdType type) implements Op {
        @Override
        public String name() {
            return "threshold";
        }
    }

    /**
     * {@code {"op":"watermark","text"|"image","position","opacity","margin","size","color","scale"}}.
     *
     * @param text     text to draw, or null
     * @param image    encoded watermark image (base64 {@code image}, or multipart part {@code watermark}), or null
     * @param position centre or a compass point
     * @param opacity  0–1
     * @param margin   pixels from the edges
     * @param size     text height in pixels, or null for 1/20 of the image height
     * @param color    text colour
     * @param scale    watermark image width as a fraction of the image width, or null for its own size
     */
    record Watermark(String text, byte[] image, Gravity position, double opacity, int margin, Integer size, Rgba color,
                     Double scale) implements Op {
        @Override
        public String name() {
            return "watermark";
        }
    }

    /**
     * {@code {"op":"format","type","quality","compression","lossless"}}: the output encoding (last op only).
     *
     * @param type        jpeg / png / webp
     * @param quality     1–100 for jpeg and webp
     * @param compression 0–9 for png
     * @param lossless    webp lossless
     */
    record Format(ImageFormat type, int quality, int compression, boolean lossless) implements Op {
        @Override
        public String name() {
            return "format";
        }
    }
}
