package ai.universal.edge;

/**
 * Entry point of {@code java -jar edge-kong.jar}: the edge-kong tool and the local edge.
 */
public final class EdgeKongMain {
    private EdgeKongMain() {
    }

    /**
     * Run a command ({@code validate}, {@code render}, {@code diff}, {@code push}, {@code status}, {@code serve}).
     *
     * @param args arguments
     */
    public static void main(String[] args) {
        int code = EdgeKongCli.commandLine().execute(args);
        if (code != 0 || !EdgeKongCli.keepsRunning(args)) {
            System.exit(code);
        }
    }
}
