package ai.universal.vector;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.lucene.index.IndexWriter;

/**
 * Makes writes durable before they are acknowledged, sharing one fsync among concurrent writers.
 * <p>
 * A writer calls {@link #awaitDurable(long)} with the sequence number Lucene gave its operation. If a commit
 * already covers it, it returns at once; otherwise the writer queues on the lock, and whoever gets the lock first
 * commits everything indexed so far, so the writers that queued behind it usually find their work already durable.
 */
final class GroupCommit {

    private final IndexWriter writer;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong durable = new AtomicLong(-1);
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();

    GroupCommit(IndexWriter writer) {
        this.writer = writer;
    }

    /**
     * Returns once a commit covers the operation.
     *
     * @param seqNo the operation's sequence number
     * @throws IOException when the commit fails; the write must then not be acknowledged
     */
    void awaitDurable(long seqNo) throws IOException {
        waits.incrementAndGet();
        if (durable.get() >= seqNo) {
            return;
        }
        lock.lock();
        try {
            if (durable.get() >= seqNo) {
                return;
            }
            commitLocked();
            if (durable.get() < seqNo) {
                throw new IOException("commit " + durable.get() + " does not cover operation " + seqNo);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs an action while no commit can start, after committing everything indexed so far.
     *
     * @param action what to run (taking a snapshot of the last commit)
     * @param <T>    result type
     * @return the action's result
     * @throws IOException when the commit or the action fails
     */
    <T> T afterCommit(IoSupplier<T> action) throws IOException {
        lock.lock();
        try {
            commitLocked();
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Commits performed so far.
     *
     * @return count
     */
    long commits() {
        return commits.get();
    }

    /**
     * Writes that asked for durability so far.
     *
     * @return count
     */
    long waits() {
        return waits.get();
    }

    private void commitLocked() throws IOException {
        long seq = writer.commit();
        commits.incrementAndGet();
        durable.accumulateAndGet(seq, Math::max);
    }

    /** A supplier that may fail with an IOException. */
    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }
}
