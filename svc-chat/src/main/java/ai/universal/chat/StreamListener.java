package ai.universal.chat;

/** Receives a streamed answer event by event, on the thread reading the upstream. */
@FunctionalInterface
interface StreamListener {
    /**
     * One event. An exception thrown here (the client went away) stops reading the upstream.
     *
     * @param event event
     */
    void on(StreamEvent event);
}
