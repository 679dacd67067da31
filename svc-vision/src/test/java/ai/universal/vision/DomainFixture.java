package ai.universal.vision;

import java.time.Duration;
import java.util.Map;

/** One Vision on the CPU backend shared by the domain tests (the cascades load once). */
final class DomainFixture {
    private static Vision vision;

    private DomainFixture() {
    }

    static synchronized Vision vision() {
        if (vision == null) {
            vision = new Vision(new VisionLimits(50_000_000, 16383, 4_000_000), new CpuBackend(),
                                new WorkerPool(2, 8, Duration.ofSeconds(60), 1), new FaceDetector(), kind -> {
            });
        }
        return vision;
    }

    static Vision.Processed process(byte[] image, String pipeline) {
        return vision().process(new Vision.Source(image, null, true),
                                new PipelineParser(16383).parse(pipeline, Map.of()));
    }
}
