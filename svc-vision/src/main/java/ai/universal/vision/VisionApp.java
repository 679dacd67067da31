package ai.universal.vision;

import java.util.function.Consumer;

import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceContext;
import ai.universal.kit.observe.Health;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.http.HttpRules;

import org.bytedeco.opencv.global.opencv_core;

/**
 * svc-vision on svc-kit: port 3033, config under {@code vision}, problem+json errors. Chooses the backend (CPU or
 * CUDA) at start-up, copies the face cascades out of the OpenCV jar, and starts the bounded worker pool. Readiness
 * check {@code vision} reports the backend and the pool's load; /metrics has the pool's gauges and counters (one
 * svc-vision per process: the meters are global).
 */
public final class VisionApp implements ServiceApp {
    private final Consumer<String> jobStart;
    private volatile VisionConfig config;

    /** The service. */
    public VisionApp() {
        this(kind -> {
        });
    }

    /**
     * The service with a hook run on the worker as each job starts (tests hold workers with it).
     *
     * @param jobStart hook
     */
    VisionApp(Consumer<String> jobStart) {
        this.jobStart = jobStart;
    }

    @Override
    public String name() {
        return "svc-vision";
    }

    @Override
    public String key() {
        return "vision";
    }

    @Override
    public int defaultPort() {
        return 3033;
    }

    @Override
    public long maxPayloadBytes() {
        VisionConfig current = config;
        return current == null ? 32L << 20 : current.maxBodyBytes();
    }

    @Override
    public void setUp(ServiceContext ctx, HttpRules rules) {
        VisionConfig settings = VisionConfig.from(ctx.settings());
        this.config = settings;
        if (settings.opencvThreads() > 0) {
            opencv_core.setNumThreads(settings.opencvThreads());
        }
        Backends.Choice backend = Backends.choose(settings.backend());
        WorkerPool pool = new WorkerPool(settings.workers(), settings.queue(), settings.timeout(),
                                         settings.retryAfterSeconds());
        Vision vision = new Vision(settings.limits(), backend.backend(), pool, new FaceDetector(), jobStart);
        ctx.onClose(vision);
        String name = backend.backend().name();
        ctx.health().add("vision", () -> new Health.Result(true, "backend " + name + ", " + pool.workers() + " workers, "
                + pool.active() + " busy, " + pool.queued() + " queued"));
        registerMetrics(pool);
        rules.register(new VisionService(vision, new PipelineParser(settings.maxSide()),
                                         new RemoteImageFetcher(settings.fetch()), settings, ctx.access()));
    }

    private static void registerMetrics(WorkerPool pool) {
        MeterRegistry registry = Metrics.globalRegistry();
        registry.getOrCreate(Gauge.builder("vision.workers.active", pool, p -> (double) p.active()).scope("vendor"));
        registry.getOrCreate(Gauge.builder("vision.queue.jobs", pool, p -> (double) p.queued()).scope("vendor"));
        registry.getOrCreate(FunctionalCounter.builder("vision.rejected", pool, WorkerPool::rejected).scope("vendor"));
        registry.getOrCreate(FunctionalCounter.builder("vision.timed.out", pool, WorkerPool::timedOut).scope("vendor"));
    }
}
