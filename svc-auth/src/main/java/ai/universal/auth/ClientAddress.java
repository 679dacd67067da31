package ai.universal.auth;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.regex.Pattern;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * The client address login throttling counts against: the socket peer, or — only when TRUST_PROXY=true, i.e. the
 * service is reachable only through Kong / the local edge — the right-most {@code X-Forwarded-For} entry, the one
 * the proxy in front of us appended (entries to its left are whatever the client claimed). Anything that is not an
 * IP literal is ignored.
 */
final class ClientAddress {
    private static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private static final Pattern IP = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private ClientAddress() {
    }

    static String of(ServerRequest req, boolean trustProxy) {
        if (trustProxy) {
            String forwarded = req.headers().first(X_FORWARDED_FOR).orElse(null);
            if (forwarded != null) {
                String[] hops = forwarded.split(",");
                String last = hops[hops.length - 1].trim();
                if (IP.matcher(last).matches()) {
                    return last;
                }
            }
        }
        SocketAddress peer = req.remotePeer().address();
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return "unknown";
    }
}
