package ai.universal.hub;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import ai.universal.kit.auth.Principal;

/**
 * Who may do what on which channel, and which channels keep history or announce joins and leaves.
 * <ul>
 *     <li>Clients need the scope {@code hub:read} to subscribe, query presence or history, and {@code hub:write} to
 *     publish ({@code *} grants both).</li>
 *     <li>{@code user:{id}}: only that user (and callers with the role {@code admin} or {@code service}).</li>
 *     <li>{@code room:{name}}: any authenticated user, unless the name matches a restricted pattern, which then needs
 *     the pattern's role.</li>
 *     <li>{@code public:{name}}: anyone may read; clients never publish.</li>
 *     <li>Clients publish only in the namespaces listed as client-publish (default {@code room}); the HTTP publish API
 *     (roles {@code admin} or {@code service}) publishes anywhere.</li>
 * </ul>
 *
 * @param historyNamespaces       namespaces whose channels keep history with offsets
 * @param joinLeaveNamespaces     namespaces whose channels announce join/leave
 * @param clientPublishNamespaces namespaces clients may publish to
 * @param restrictedRooms         room name patterns and the role they require
 */
public record ChannelPolicy(Set<String> historyNamespaces, Set<String> joinLeaveNamespaces,
                            Set<String> clientPublishNamespaces, List<Restriction> restrictedRooms) {
    /** Scope to read. */
    public static final String READ = "hub:read";
    /** Scope to publish. */
    public static final String WRITE = "hub:write";

    /**
     * A room pattern ({@code *} matches any run of characters) and the role it needs.
     *
     * @param glob    pattern as configured
     * @param pattern compiled pattern
     * @param role    role required
     */
    public record Restriction(String glob, Pattern pattern, String role) {
        /**
         * Parse {@code ops*=admin}.
         *
         * @param spec spec
         * @return restriction
         */
        public static Restriction parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("Restricted room must be 'pattern=role', got '" + spec + "'");
            }
            String glob = spec.substring(0, eq).trim();
            StringBuilder regex = new StringBuilder();
            for (String part : glob.split("\\*", -1)) {
                if (!regex.isEmpty()) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(part));
            }
            return new Restriction(glob, Pattern.compile(regex.toString()), spec.substring(eq + 1).trim());
        }
    }

    /**
     * Canonical constructor: copies.
     */
    public ChannelPolicy {
        historyNamespaces = Set.copyOf(historyNamespaces);
        joinLeaveNamespaces = Set.copyOf(joinLeaveNamespaces);
        clientPublishNamespaces = Set.copyOf(clientPublishNamespaces);
        restrictedRooms = List.copyOf(restrictedRooms);
    }

    /**
     * Whether the channel keeps history (offsets, epochs, recovery).
     *
     * @param channel channel
     * @return true when it does
     */
    public boolean history(Channel channel) {
        return historyNamespaces.contains(channel.namespace());
    }

    /**
     * Whether subscribers are told when users join and leave.
     *
     * @param channel channel
     * @return true when announced
     */
    public boolean joinLeave(Channel channel) {
        return joinLeaveNamespaces.contains(channel.namespace());
    }

    /**
     * May this caller subscribe to (and see presence and history of) the channel.
     *
     * @param who     caller
     * @param channel channel
     * @throws HubException {@code forbidden}
     */
    public void checkRead(Principal who, Channel channel) {
        requireScope(who, READ);
        if (privileged(who)) {
            return;
        }
        switch (channel.namespace()) {
        case Channel.USER -> {
            if (!channel.id().equals(who.subject())) {
                throw new HubException("forbidden", "'" + channel.name() + "' is private to its user");
            }
        }
        case Channel.ROOM -> checkRoom(who, channel);
        default -> {
        }
        }
    }

    /**
     * May this client publish to the channel.
     *
     * @param who     caller
     * @param channel channel
     * @throws HubException {@code forbidden}
     */
    public void checkClientPublish(Principal who, Channel channel) {
        requireScope(who, WRITE);
        if (channel.namespace().equals(Channel.PUBLIC) || !clientPublishNamespaces.contains(channel.namespace())) {
            throw new HubException("forbidden", "clients may not publish to '" + channel.namespace() + ":' channels");
        }
        if (channel.namespace().equals(Channel.USER) && !channel.id().equals(who.subject()) && !privileged(who)) {
            throw new HubException("forbidden", "'" + channel.name() + "' is private to its user");
        }
        if (channel.namespace().equals(Channel.ROOM) && !privileged(who)) {
            checkRoom(who, channel);
        }
    }

    /**
     * Whether the caller may use the server-side publish API.
     *
     * @param who caller
     * @return true for the roles {@code admin} and {@code service}
     */
    public boolean privileged(Principal who) {
        return who.hasRole("admin") || who.hasRole("service");
    }

    private void checkRoom(Principal who, Channel channel) {
        for (Restriction r : restrictedRooms) {
            if (r.pattern().matcher(channel.id()).matches() && !who.hasRole(r.role())) {
                throw new HubException("forbidden", "'" + channel.name() + "' is restricted to the role '" + r.role() + "'");
            }
        }
    }

    private static void requireScope(Principal who, String scope) {
        if (!who.hasScope(scope)) {
            throw new HubException("forbidden", "this needs the scope '" + scope + "'");
        }
    }
}
