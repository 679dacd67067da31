package ai.universal.edge.plugins;

import java.util.List;
import java.util.Optional;

import ai.universal.edge.config.Cidr;

/**
 * ip-restriction: a client address in {@code deny} is refused; with {@code allow} set, an address outside it is
 * refused too. Answer: {@code status} (403) and {@code message} ("IP address not allowed: &lt;ip&gt;").
 */
public final class IpRestrictionPlugin implements EdgePlugin {
    private final List<Cidr> allow;
    private final List<Cidr> deny;
    private final int status;
    private final String message;

    /**
     * Create from config.
     *
     * @param config normalized config
     */
    public IpRestrictionPlugin(PluginConfig config) {
        this.allow = config.list("allow").stream().map(Cidr::parse).toList();
        this.deny = config.list("deny").stream().map(Cidr::parse).toList();
        this.status = config.num("status") == null ? 403 : config.num("status").intValue();
        this.message = config.str("message");
    }

    @Override
    public String name() {
        return "ip-restriction";
    }

    @Override
    public int priority() {
        return 990;
    }

    @Override
    public Optional<EdgeResponse> access(Exchange exchange) {
        byte[] address = exchange.clientAddress();
        boolean blocked = deny.stream().anyMatch(c -> c.contains(address))
                || (!allow.isEmpty() && allow.stream().noneMatch(c -> c.contains(address)));
        if (!blocked) {
            return Optional.empty();
        }
        return Optional.of(EdgeResponse.message(status, message != null ? message
                : "IP address not allowed: " + exchange.clientIp()));
    }
}
