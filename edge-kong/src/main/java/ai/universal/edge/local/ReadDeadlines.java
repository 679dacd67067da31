package ai.universal.edge.local;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Read timeouts for the edge's upstream connections without a timer per read.
 *
 * <p>A socket read with {@code SO_TIMEOUT} on a virtual thread arms and cancels a JDK timer each time it blocks, and
 * arming it wakes the timer thread: measured on 2 cores, that was about 15% of a proxied request's cost. Instead, a
 * reader writes its deadline into its connection before it blocks and clears it after; one watchdog thread looks at
 * the deadlines every {@link #TICK_MILLIS} ms and closes the socket of a read that is past its deadline, which ends
 * the blocked read (the connection then reports a {@link java.net.SocketTimeoutException}). So a read times out
 * between its timeout and its timeout plus one tick. The watchdog parks after a second without any read in progress
 * and the next read wakes it, so an idle edge does not tick.
 */
final class ReadDeadlines implements AutoCloseable {
    /** How often deadlines are checked while reads are in progress. */
    static final long TICK_MILLIS = 10;
    private static final int IDLE_TICKS = (int) (1000 / TICK_MILLIS);

    /**
     * What the watchdog watches: a connection's read deadline.
     */
    interface Watched {
        /**
         * Deadline of the read in progress.
         *
         * @return {@link System#nanoTime()} deadline, or 0 when no read is in progress
         */
        long deadline();

        /**
         * The read in progress is past its deadline: end it, unless it has ended meanwhile.
         *
         * @param deadline the deadline seen past (the read is ended only if it is still the one in progress)
         */
        void expire(long deadline);
    }

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile boolean sleeping;
    private volatile boolean closed;

    ReadDeadlines() {
        watchdog = Thread.ofPlatform().daemon().name("edge-upstream-read-deadlines").unstarted(this::run);
        watchdog.start();
    }

    /**
     * Watch a connection until {@link #remove(Watched)}.
     *
     * @param w connection
     */
    void add(Watched w) {
        watched.add(w);
    }

    /**
     * Stop watching a connection.
     *
     * @param w connection
     */
    void remove(Watched w) {
        watched.remove(w);
    }

    /**
     * Called after a reader set a deadline and before it blocks: wakes the watchdog if it was parked for idleness.
     * (The reader's deadline write and this read of {@code sleeping}, against the watchdog's write of {@code sleeping}
     * and its read of the deadlines, are all volatile: one of the two sides sees the other's write.)
     */
    void reading() {
        if (sleeping) {
            sleeping = false;
            LockSupport.unpark(watchdog);
        }
    }

    private void run() {
        long tick = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
        int idleTicks = 0;
        while (!closed) {
            if (sweep()) {
                idleTicks = 0;
            } else if (++idleTicks >= IDLE_TICKS) {
                sleeping = true;
                if (!sweep()) {
                    LockSupport.park(this);
                }
                sleeping = false;
                idleTicks = 0;
                continue;
            }
            LockSupport.parkNanos(this, tick);
        }
    }

    /** Expire what is past its deadline; true when any read was in progress. */
    private boolean sweep() {
        boolean any = false;
        long now = System.nanoTime();
        for (Watched w : watched) {
            long deadline = w.deadline();
            if (deadline != 0) {
                any = true;
                if (now - deadline > 0) {
                    w.expire(deadline);
                }
            }
        }
        return any;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watchdog);
    }
}
