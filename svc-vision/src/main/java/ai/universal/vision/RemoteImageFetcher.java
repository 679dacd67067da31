package ai.universal.vision;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Fetches a source image by URL ({@code src}) — off unless {@code VISION_FETCH_ENABLED=true}. Rules: http or https
 * only, no credentials in the URL, the host must match the allow-list, and every address the name resolves to must be
 * public (no loopback, private, link-local, CGNAT, multicast or reserved ranges, also inside IPv6 mappings). The
 * connection goes to the very address that was checked (no second DNS lookup an attacker could rebind), every redirect
 * is checked again, and size, time and redirect limits apply. Refusals are 403 {@code fetch_forbidden}; a source that
 * cannot be read is 422 {@code fetch_failed}; a too-large one 413 {@code fetch_too_large}.
 */
public final class RemoteImageFetcher {
    private static final int MAX_HEADER_BYTES = 32 * 1024;

    /**
     * The rules.
     *
     * @param enabled       whether fetching is on
     * @param allowedHosts  host names or {@code *.domain} patterns, or {@code *} for any public host
     * @param maxBytes      largest body
     * @param timeout       whole fetch, redirects included
     * @param maxRedirects  redirects followed
     * @param allowLoopback whether loopback addresses are allowed (local development)
     * @param allowPrivate  whether private (RFC 1918, ULA, CGNAT) addresses are allowed (an intranet image store)
     */
    public record Policy(boolean enabled, List<String> allowedHosts, long maxBytes, Duration timeout, int maxRedirects,
                         boolean allowLoopback, boolean allowPrivate) {
        /** Normalises the host list. */
        public Policy {
            allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty())
                    .toList();
        }
    }

    /**
     * A fetched body.
     *
     * @param data        bytes
     * @param contentType its Content-Type, or null
     */
    public record Fetched(byte[] data, String contentType) {
    }

    private final Policy policy;

    /**
     * Create.
     *
     * @param policy rules
     */
    public RemoteImageFetcher(Policy policy) {
        this.policy = policy;
    }

    /**
     * Whether fetching is on.
     *
     * @return enabled
     */
    public boolean enabled() {
        return policy.enabled();
    }

    /**
     * Fetch.
     *
     * @param src the URL
     * @return body
     */
    public Fetched fetch(String src) {
        if (!policy.enabled()) {
            throw VisionException.forbidden("fetch_disabled", "Fetching images by URL is turned off "
                    + "(VISION_FETCH_ENABLED=false); send the image in the request body");
        }
        long deadline = System.nanoTime() + policy.timeout().toNanos();
        URI uri = parse(src);
        for (int hop = 0; hop <= policy.maxRedirects(); hop++) {
            InetAddress address = check(uri);
            Response response = get(uri, address, deadline);
            if (response.status() >= 300 && response.status() < 400 && response.location() != null) {
                try {
                    uri = uri.resolve(new URI(response.location()));
                } catch (URISyntaxException e) {
                    throw failed("the source redirected to an invalid URL");
                }
                continue;
            }
            if (response.status() != 200) {
                throw failed("the source answered HTTP " + response.status());
            }
            return new Fetched(response.body(), response.contentType());
        }
        throw failed("more than " + policy.maxRedirects() + " redirects");
    }

    private static URI parse(String src) {
        try {
            URI uri = new URI(src);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.isEmpty() && !scheme.equals("http") && !scheme.equals("https")) {
                throw VisionException.forbidden("fetch_forbidden", "Only http and https URLs are fetched, not '" + scheme
                        + "'");
            }
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw VisionException.invalid("src", "'src' must be an absolute http or https URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw VisionException.invalid("src", "'src' is not a valid URL: " + e.getReason());
        }
    }

    // The address to connect to, after the scheme, host and every resolved address passed the rules.
    private InetAddress check(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw VisionException.forbidden("fetch_forbidden", "Only http and https URLs are fetched, not '" + scheme + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw VisionException.forbidden("fetch_forbidden", "URLs with credentials are not fetched");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!hostAllowed(host)) {
            throw VisionException.forbidden("fetch_forbidden", "The host '" + host + "' is not in VISION_FETCH_ALLOWED_HOSTS");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw failed("the host '" + host + "' does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = forbidden(a);
            if (why != null) {
                throw VisionException.forbidden("fetch_forbidden", "The host '" + host + "' resolves to " + a.getHostAddress()
                        + ", a " + why + " address");
            }
        }
        return addresses[0];
    }

    private boolean hostAllowed(String host) {
        for (String allowed : policy.allowedHosts()) {
            if (allowed.equals("*") || allowed.equals(host)
                    || (allowed.startsWith("*.") && host.endsWith(allowed.substring(1)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why an address may not be fetched from, or null when it may.
     *
     * @param a address
     * @return reason or null
     */
    String forbidden(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            Inet4Address embedded = embeddedV4(b);
            if (embedded != null) {
                return forbidden(embedded);
            }
            if ((b[0] & 0xFE) == 0xFC) {
                return policy.allowPrivate() ? null : "private (unique local)";
            }
        }
        if (a.isAnyLocalAddress()) {
            return "wildcard";
        }
        if (a.isLoopbackAddress()) {
            return policy.allowLoopback() ? null : "loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        if (a.isSiteLocalAddress()) {
            return policy.allowPrivate() ? null : "private";
        }
        if (a instanceof Inet4Address) {
            byte[] b = a.getAddress();
            int first = b[0] & 0xFF;
            int second = b[1] & 0xFF;
            if (first == 0 || first >= 240 || (first == 192 && second == 0 && (b[2] & 0xFF) == 0)
                    || (first == 198 && (second == 18 || second == 19))) {
                return "reserved";
            }
            if (first == 100 && second >= 64 && second < 128) {
                return policy.allowPrivate() ? null : "private (carrier-grade NAT)";
            }
        }
        return null;
    }

    // IPv4 inside IPv6: mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16.
    private static Inet4Address embeddedV4(byte[] b) {
        try {
            boolean zeros = true;
            for (int i = 0; i < 10; i++) {
                zeros &= b[i] == 0;
            }
            if (zeros && ((b[10] == (byte) 0xFF && b[11] == (byte) 0xFF) || (b[10] == 0 && b[11] == 0 && b[12] != 0))) {
                return (Inet4Address) InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            }
            if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xFF && b[3] == (byte) 0x9B) {
                return (Inet4Address) InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            }
            if (b[0] == 0x20 && b[1] == 0x02) {
                return (Inet4Address) InetAddress.getByAddress(new byte[] {b[2], b[3], b[4], b[5]});
            }
            return null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Response(int status, String location, String contentType, byte[] body) {
    }

    private Response get(URI uri, InetAddress address, long deadline) {
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(address, port), remaining(deadline));
            raw.setSoTimeout(remaining(deadline));
            Socket socket = raw;
            if (https) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(raw, host, port, true);
                SSLParameters params = tls.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                if (!host.startsWith("[") && !Character.isDigit(host.charAt(host.length() - 1))) {
                    params.setServerNames(List.of(new SNIHostName(host)));
                }
                tls.setSSLParameters(params);
                tls.startHandshake();
                socket = tls;
            }
            OutputStream out = socket.getOutputStream();
            String hostHeader = host + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: svc-vision\r\n"
                    + "Accept: image/jpeg, image/png, image/webp\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n")
                              .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String statusLine = line(in);
            String[] status = statusLine.split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
                throw failed("the source did not answer HTTP/1.x");
            }
            int code = Integer.parseInt(status[1]);
            long length = -1;
            boolean chunked = false;
            String location = null;
            String type = null;
            int headerBytes = 0;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                headerBytes += h.length();
                if (headerBytes > MAX_HEADER_BYTES) {
                    throw failed("the source's headers are too large");
                }
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "location" -> location = value;
                    case "content-type" -> type = value;
                    default -> {
                    }
                }
            }
            if (code != 200) {
                return new Response(code, location, type, new byte[0]);
            }
            if (length > policy.maxBytes()) {
                throw tooLarge();
            }
            byte[] body = chunked ? chunked(in, deadline) : body(in, length, deadline);
            return new Response(code, location, type, body);
        } catch (SocketTimeoutException e) {
            throw failed("the source did not answer within " + policy.timeout().toMillis() + " ms");
        } catch (IOException | NumberFormatException e) {
            throw failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private byte[] body(InputStream in, long length, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long left = length < 0 ? Long.MAX_VALUE : length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                if (length >= 0) {
                    throw failed("the source closed the connection before sending " + length + " bytes");
                }
                break;
            }
            out.write(buffer, 0, n);
            left -= n;
            if (out.size() > policy.maxBytes()) {
                throw tooLarge();
            }
            remaining(deadline);
        }
        return out.toByteArray();
    }

    private byte[] chunked(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            if (out.size() + size > policy.maxBytes()) {
                throw tooLarge();
            }
            out.write(body(in, size, deadline));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > MAX_HEADER_BYTES) {
                throw new IOException("header line too long");
            }
        }
        return sb.toString();
    }

    private int remaining(long deadline) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw failed("the source did not answer within " + policy.timeout().toMillis() + " ms");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private VisionException tooLarge() {
        return VisionException.tooLarge("fetch_too_large", "The source image is larger than " + policy.maxBytes() + " bytes");
    }

    private static VisionException failed(String why) {
        return VisionException.unprocessable("fetch_failed", "The image could not be fetched: " + why);
    }
}
