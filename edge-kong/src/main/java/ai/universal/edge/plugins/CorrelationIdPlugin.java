package ai.universal.edge.plugins;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * correlation-id: keeps the client's {@code header_name} value or makes one (uuid, uuid#counter, tracker), sends it
 * upstream, and echoes it to the client when {@code echo_downstream} is set.
 */
public final class CorrelationIdPlugin implements EdgePlugin {
    private static final String WORKER_UUID = UUID.randomUUID().toString();
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String KEY = "correlation-id";

    private final String headerName;
    private final String generator;
    private final boolean echo;

    /**
     * Create from config.
     *
     * @param config normalized config
     */
    public CorrelationIdPlugin(PluginConfig config) {
        this.headerName = config.str("header_name");
        this.generator = config.str("generator");
        this.echo = config.bool("echo_downstream");
    }

    @Override
    public String name() {
        return "correlation-id";
    }

    @Override
    public int priority() {
        return 100001;
    }

    @Override
    public Optional<EdgeResponse> access(Exchange exchange) {
        String value = exchange.header(headerName);
        if (value == null || value.isEmpty()) {
            value = switch (generator) {
            case "uuid" -> UUID.randomUUID().toString();
            case "tracker" -> exchange.clientIp() + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet()
                    + "-" + System.currentTimeMillis();
            default -> WORKER_UUID + "#" + COUNTER.incrementAndGet();
            };
            exchange.setUpstreamHeader(headerName, value);
        }
        exchange.attributes().put(KEY, value);
        return Optional.empty();
    }

    @Override
    public void headerFilter(Exchange exchange) {
        Object value = exchange.attributes().get(KEY);
        if (echo && value != null) {
            exchange.setDownstreamHeader(headerName, (String) value);
        }
    }
}
