package ai.universal.vector;

import ai.universal.kit.ServiceRunner;

/**
 * Starts svc-vector alone: {@code java --add-modules jdk.incubator.vector -jar svc-vector.jar}.
 * In-process (tests, the one-process stack): {@code ServiceRunner.start(new VectorApp(), env)}.
 */
public final class VectorMain {

    private VectorMain() {
    }

    /**
     * Entry point.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        ServiceRunner.main(new VectorApp());
    }
}
