package ai.universal.edge.plugins;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends finished spans to an OTLP/HTTP traces endpoint (JSON encoding) in batches from one background thread.
 * A full queue drops spans (counted), a failing endpoint is logged once per minute; requests never wait for it.
 */
public final class OtlpSpanExporter implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(OtlpSpanExporter.class.getName());

    private final URI endpoint;
    private final Map<String, String> headers;
    private final Map<String, String> resourceAttributes;
    private final int batchSize;
    private final long delayMillis;
    private final Duration sendTimeout;
    private final HttpClient http;
    private final BlockingQueue<String> queue;
    private final Thread worker;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong exported = new AtomicLong();
    private volatile boolean running = true;
    private long lastWarning;

    /**
     * Create and start an exporter.
     *
     * @param endpoint           traces endpoint
     * @param headers            extra request headers
     * @param resourceAttributes resource attributes (service.name ...)
     * @param batchSize          spans per request
     * @param delayMillis        longest wait before a partial batch is sent
     * @param maxEntries         queue capacity
     * @param connectTimeout     connect timeout
     * @param sendTimeout        request timeout
     */
    public OtlpSpanExporter(URI endpoint, Map<String, String> headers, Map<String, String> resourceAttributes, int batchSize,
                            long delayMillis, int maxEntries, Duration connectTimeout, Duration sendTimeout) {
        this.endpoint = endpoint;
        this.headers = headers;
        this.resourceAttributes = resourceAttributes;
        this.batchSize = batchSize;
        this.delayMillis = delayMillis;
        this.sendTimeout = sendTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
        this.queue = new ArrayBlockingQueue<>(maxEntries);
        this.worker = Thread.ofVirtual().name("otlp-exporter").start(this::loop);
    }

    /**
     * Queue a span (OTLP JSON span object).
     *
     * @param spanJson span
     */
    public void offer(String spanJson) {
        if (!queue.offer(spanJson)) {
            dropped.incrementAndGet();
        }
    }

    /** @return spans exported so far */
    public long exported() {
        return exported.get();
    }

    private void loop() {
        List<String> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                String first = queue.poll(delayMillis, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.currentTimeMillis() + delayMillis;
                while (batch.size() < batchSize) {
                    long wait = deadline - System.currentTimeMillis();
                    String next = wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.MILLISECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                send(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void send(List<String> spans) {
        StringBuilder attrs = new StringBuilder();
        resourceAttributes.forEach((k, v) -> attrs.append(attrs.isEmpty() ? "" : ",").append("{\"key\":").append(Json.quote(k))
                .append(",\"value\":{\"stringValue\":").append(Json.quote(v)).append("}}"));
        String body = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[" + attrs + "]},\"scopeSpans\":[{\"scope\":"
                + "{\"name\":\"kong-internal\",\"version\":\"0.1.0\"},\"spans\":[" + String.join(",", spans) + "]}]}]}";
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(sendTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                exported.addAndGet(spans.size());
            } else {
                warn("OTLP endpoint " + endpoint + " answered " + response.statusCode());
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            warn("OTLP endpoint " + endpoint + " failed: " + e.getClass().getSimpleName());
        }
    }

    private void warn(String message) {
        long now = System.currentTimeMillis();
        if (now - lastWarning > 60_000) {
            lastWarning = now;
            LOGGER.log(System.Logger.Level.WARNING, message + " (spans dropped so far: " + dropped.get() + ")");
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
