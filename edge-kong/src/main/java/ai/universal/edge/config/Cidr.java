package ai.universal.edge.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address range ({@code 10.0.0.0/8}, {@code ::1/128}) or a single address, as ip-restriction takes.
 *
 * @param network network address bytes
 * @param bits    prefix length
 */
public record Cidr(byte[] network, int bits) {
    private static final Pattern LITERAL = Pattern.compile("^[0-9A-Fa-f:.]+$");

    /**
     * Parse a CIDR or address literal (no name lookups).
     *
     * @param text value
     * @return range, or null when not valid
     */
    public static Cidr parse(String text) {
        String addr = text;
        int bits = -1;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            addr = text.substring(0, slash);
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        byte[] bytes = literal(addr);
        if (bytes == null) {
            return null;
        }
        int max = bytes.length * 8;
        if (bits == -1) {
            bits = max;
        }
        if (bits < 0 || bits > max) {
            return null;
        }
        return new Cidr(bytes, bits);
    }

    /**
     * The bytes of an address literal, or null.
     *
     * @param addr literal
     * @return bytes
     */
    public static byte[] literal(String addr) {
        if (addr.isEmpty() || !LITERAL.matcher(addr).matches()) {
            return null;
        }
        if (!addr.contains(":") && addr.split("\\.", -1).length != 4) {
            return null;
        }
        try {
            return InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * Whether an address lies in this range (IPv4-mapped IPv6 addresses count as IPv4).
     *
     * @param address address bytes
     * @return true when inside
     */
    public boolean contains(byte[] address) {
        byte[] a = address;
        if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
            a = java.util.Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != network.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }
}
