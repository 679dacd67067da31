package ai.universal.hub;

import ai.universal.kit.ServiceRunner;

/**
 * Runs svc-hub as its own process: {@code java -jar svc-hub/target/svc-hub.jar}.
 */
public final class HubMain {
    private HubMain() {
    }

    /**
     * Start.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        ServiceRunner.main(new HubApp());
    }
}
