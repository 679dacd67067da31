package ai.universal.vision;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a crop window (resize {@code fill}) or a watermark sits: centre, a compass point, a focus point, on detected
 * faces, or on the most edge-dense ("smart") region. Watermarks take only centre and compass points.
 */
public enum Gravity {
    /** Centre. */
    CENTRE("centre", 0.5, 0.5),
    /** Top edge, centred. */
    NORTH("north", 0.5, 0),
    /** Bottom edge, centred. */
    SOUTH("south", 0.5, 1),
    /** Right edge, centred. */
    EAST("east", 1, 0.5),
    /** Left edge, centred. */
    WEST("west", 0, 0.5),
    /** Top right. */
    NORTH_EAST("north-east", 1, 0),
    /** Top left. */
    NORTH_WEST("north-west", 0, 0),
    /** Bottom right. */
    SOUTH_EAST("south-east", 1, 1),
    /** Bottom left. */
    SOUTH_WEST("south-west", 0, 1),
    /** Centred on {@code focus_x}, {@code focus_y} (fractions of width and height). */
    FOCUS("focus", 0.5, 0.5),
    /** Centred on the detected faces (centre when none). */
    FACE("face", 0.5, 0.5),
    /** On the most edge-dense region. */
    SMART("smart", 0.5, 0.5);

    private final String id;
    private final double x;
    private final double y;

    Gravity(String id, double x, double y) {
        this.id = id;
        this.x = x;
        this.y = y;
    }

    /**
     * API name.
     *
     * @return name
     */
    public String id() {
        return id;
    }

    /**
     * Horizontal anchor: 0 left, 0.5 centre, 1 right.
     *
     * @return anchor
     */
    public double x() {
        return x;
    }

    /**
     * Vertical anchor: 0 top, 0.5 centre, 1 bottom.
     *
     * @return anchor
     */
    public double y() {
        return y;
    }

    /**
     * Whether this is centre or a compass point.
     *
     * @return true for a fixed anchor
     */
    public boolean fixed() {
        return this != FOCUS && this != FACE && this != SMART;
    }

    /**
     * Parse an API name ({@code center} is accepted for {@code centre}).
     *
     * @param name      name
     * @param field     parameter name for the error
     * @param fixedOnly whether only centre and compass points are allowed
     * @return gravity
     */
    static Gravity parse(String name, String field, boolean fixedOnly) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Gravity g : values()) {
            if ((g.id.equals(n) || (g == CENTRE && n.equals("center"))) && (!fixedOnly || g.fixed())) {
                return g;
            }
        }
        String allowed = Arrays.stream(values()).filter(g -> !fixedOnly || g.fixed()).map(Gravity::id)
                .collect(Collectors.joining(", "));
        throw VisionException.invalid(field, "'" + Params.shortName(field) + "' must be one of " + allowed + ", not '"
                + name + "'");
    }
}
