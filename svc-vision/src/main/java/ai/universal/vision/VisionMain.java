package ai.universal.vision;

import ai.universal.kit.ServiceRunner;

/** Starts svc-vision alone: {@code java -jar svc-vision/target/svc-vision.jar}. */
public final class VisionMain {

    private VisionMain() {
    }

    /**
     * Start.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        ServiceRunner.main(new VisionApp());
    }
}
