package ai.universal.hub;

import java.util.regex.Pattern;

/**
 * A channel name {@code namespace:id}: {@code user:{id}} (private to that user), {@code room:{name}} (any authenticated
 * user unless restricted), {@code public:{name}} (read-only for clients). The id is 1–128 characters of
 * {@code A-Z a-z 0-9 . _ @ = + -}.
 *
 * @param name      full name, e.g. {@code room:lobby}
 * @param namespace {@code user}, {@code room} or {@code public}
 * @param id        the part after the colon
 */
public record Channel(String name, String namespace, String id) {
    /** Private per-user channel. */
    public static final String USER = "user";
    /** Shared room. */
    public static final String ROOM = "room";
    /** Read-only broadcast channel. */
    public static final String PUBLIC = "public";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._@=+-]{1,128}");

    /**
     * Parse and validate a channel name.
     *
     * @param name name
     * @return channel
     * @throws HubException {@code invalid_channel}
     */
    public static Channel parse(String name) {
        if (name == null || name.isEmpty()) {
            throw new HubException("invalid_channel", "channel is required");
        }
        int colon = name.indexOf(':');
        if (colon < 0) {
            throw new HubException("invalid_channel", "channel must be 'user:{id}', 'room:{name}' or 'public:{name}'");
        }
        String namespace = name.substring(0, colon);
        String id = name.substring(colon + 1);
        if (!namespace.equals(USER) && !namespace.equals(ROOM) && !namespace.equals(PUBLIC)) {
            throw new HubException("invalid_channel", "unknown channel namespace '" + clip(namespace)
                    + "' (user, room, public)");
        }
        if (!ID.matcher(id).matches()) {
            throw new HubException("invalid_channel", "channel id must be 1-128 characters of A-Z a-z 0-9 . _ @ = + -");
        }
        return new Channel(name, namespace, id);
    }

    /**
     * The private channel of a user.
     *
     * @param userId user id
     * @return {@code user:{id}}
     */
    public static Channel ofUser(String userId) {
        return parse(USER + ":" + userId);
    }

    private static String clip(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "…" : s;
    }
}
