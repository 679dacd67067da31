package ai.universal.hub;

import java.util.List;
import java.util.Set;

import ai.universal.kit.auth.Principal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Channel names and the permission matrix, without a server.
 */
class ChannelPolicyTest {
    private static final ChannelPolicy POLICY = new ChannelPolicy(Set.of("user", "room", "public"), Set.of("room"),
                                                                  Set.of("room", "public", "user"),
                                                                  List.of(ChannelPolicy.Restriction.parse("ops*=admin")));

    private static Principal principal(String subject, String role, String scope) {
        return new Principal(subject, Set.of(role), Set.of(scope), Principal.Kind.ACCESS_TOKEN, "jti", null);
    }

    @Test
    void channelNamesAreValidated() {
        assertEquals("room", Channel.parse("room:lobby-1").namespace());
        assertEquals("u@x.org", Channel.parse("user:u@x.org").id());
        for (String bad : List.of("", "lobby", "chat:x", "room:", "room:a b", "room:" + "x".repeat(129), "room:a:b")) {
            assertEquals("invalid_channel", assertThrows(HubException.class, () -> Channel.parse(bad)).code(), bad);
        }
    }

    @Test
    void userChannelsArePrivateRoomsOpenUnlessRestrictedPublicReadOnly() {
        Principal alice = principal("alice", "user", "*");
        assertDoesNotThrow(() -> POLICY.checkRead(alice, Channel.parse("user:alice")));
        assertEquals("forbidden", assertThrows(HubException.class,
                                               () -> POLICY.checkRead(alice, Channel.parse("user:bob"))).code());
        assertDoesNotThrow(() -> POLICY.checkRead(alice, Channel.parse("room:lobby")));
        assertThrows(HubException.class, () -> POLICY.checkRead(alice, Channel.parse("room:ops-night")));
        assertDoesNotThrow(() -> POLICY.checkRead(principal("root", "admin", "*"), Channel.parse("room:ops-night")));
        assertDoesNotThrow(() -> POLICY.checkRead(principal("svc", "service", "*"), Channel.parse("user:bob")));
        assertDoesNotThrow(() -> POLICY.checkRead(alice, Channel.parse("public:news")));
        assertThrows(HubException.class, () -> POLICY.checkClientPublish(alice, Channel.parse("public:news")),
                     "public is read-only for clients even when listed");
        assertThrows(HubException.class, () -> POLICY.checkClientPublish(alice, Channel.parse("user:bob")));
        assertDoesNotThrow(() -> POLICY.checkClientPublish(alice, Channel.parse("room:lobby")));
    }

    @Test
    void scopesGateReadingAndWriting() {
        Principal reader = principal("r", "user", "hub:read");
        assertDoesNotThrow(() -> POLICY.checkRead(reader, Channel.parse("room:x")));
        assertThrows(HubException.class, () -> POLICY.checkClientPublish(reader, Channel.parse("room:x")));
        Principal hub = principal("h", "user", "hub");
        assertDoesNotThrow(() -> POLICY.checkClientPublish(hub, Channel.parse("room:x")));
        assertThrows(HubException.class, () -> POLICY.checkRead(principal("m", "user", "memories"), Channel.parse("room:x")));
    }

    @Test
    void framesParseOrFailWithCodesAndTheRequestId() {
        ClientFrame.Subscribe s = (ClientFrame.Subscribe) Frames.parse(
                "{\"id\":7,\"type\":\"subscribe\",\"channel\":\"room:x\",\"since\":{\"offset\":41,\"epoch\":\"e1\"}}");
        assertEquals(7, s.id().asInt());
        assertEquals(new ClientFrame.Since(41, "e1"), s.since());
        ClientFrame.Publish p = (ClientFrame.Publish) Frames.parse("{\"id\":\"a\",\"type\":\"publish\",\"channel\":\"room:x\","
                                                                           + "\"data\":[1,{\"b\":null}]}");
        assertEquals("[1,{\"b\":null}]", p.data());
        Frames.FrameException e = assertThrows(Frames.FrameException.class,
                                               () -> Frames.parse("{\"id\":3,\"type\":\"subscribe\",\"channel\":5}"));
        assertEquals(3, e.id().asInt());
        assertEquals("bad_frame", e.error().code());
        assertEquals("'channel' must be a string", e.error().getMessage());
        assertEquals("bad_frame", assertThrows(Frames.FrameException.class,
                                               () -> Frames.parse("{\"type\":\"subscribe\",\"channel\":\"room:x\","
                                                                          + "\"since\":{\"offset\":-1,\"epoch\":\"e\"}}"))
                .error().code());
        assertEquals("unknown_type", assertThrows(Frames.FrameException.class,
                                                  () -> Frames.parse("{\"type\":\"x\"}")).error().code());
        assertEquals("bad_frame", assertThrows(Frames.FrameException.class, () -> Frames.parse("[1]")).error().code());
        assertEquals("{\"type\":\"message\",\"channel\":\"room:x\",\"offset\":4,\"epoch\":\"e\","
                             + "\"data\":{},\"publisher\":\"u\\\"\"}",
                     Frames.message("room:x", 4, "e", "{}", "u\""));
    }
}
