package ai.universal.chat;

import ai.universal.kit.ServiceRunner;

/**
 * Starts svc-chat alone: {@code java -jar svc-chat/target/svc-chat.jar}. In-process (tests, the one-process stack):
 * {@code ServiceRunner.start(new ChatApp(), env)}.
 */
public final class ChatMain {

    private ChatMain() {
    }

    /**
     * Entry point.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        ServiceRunner.main(new ChatApp());
    }
}
