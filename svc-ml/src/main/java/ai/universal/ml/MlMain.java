package ai.universal.ml;

import ai.universal.kit.ServiceRunner;

/** Runs svc-ml as its own process: {@code java -jar svc-ml/target/svc-ml.jar}. */
public final class MlMain {

    private MlMain() {
    }

    /**
     * Start the service; it stops on SIGTERM / Ctrl-C.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        ServiceRunner.main(new MlApp());
    }
}
