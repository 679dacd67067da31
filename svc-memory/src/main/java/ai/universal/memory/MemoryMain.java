package ai.universal.memory;

import ai.universal.kit.ServiceRunner;

/**
 * Starts svc-memory alone: {@code java -jar svc-memory/target/svc-memory.jar}. In-process (tests, the one-process
 * stack): {@code ServiceRunner.start(new MemoryApp(), env)}.
 */
public final class MemoryMain {

    private MemoryMain() {
    }

    /**
     * Entry point.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        ServiceRunner.main(new MemoryApp());
    }
}
