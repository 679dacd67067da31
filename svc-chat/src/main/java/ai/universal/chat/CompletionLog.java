package ai.universal.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

/**
 * Writes completion records to PostgreSQL off the request path: records queue up (bounded; when full, new ones are
 * dropped and counted, so a slow database never slows chat down) and one writer thread inserts what has queued every
 * 100 ms, in batches.
 */
final class CompletionLog implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(CompletionLog.class.getName());
    private static final int BATCH = 200;
    private static final long FLUSH_MILLIS = 100;

    private final DataSource db;
    private final BlockingQueue<CompletionRecord> queue;
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running = true;

    CompletionLog(DataSource db, int capacity) {
        this.db = db;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = Thread.ofPlatform().daemon().name("chat-completion-log").start(this::drain);
    }

    void add(CompletionRecord record) {
        if (!queue.offer(record)) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOGGER.log(System.Logger.Level.WARNING, "Analytics queue full: " + dropped.get() + " records dropped so far");
            }
        }
    }

    long dropped() {
        return dropped.get();
    }

    // Wakes on a fixed cadence rather than per record: a writer blocked in poll() was woken by every completion, right
    // while that request's answer was being sent, and then wrote (and committed) a batch of one.
    private void drain() {
        List<CompletionRecord> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            if (running) {
                try {
                    Thread.sleep(FLUSH_MILLIS);
                } catch (InterruptedException e) {
                    running = false;
                }
            }
            while (queue.drainTo(batch, BATCH) > 0) {
                try {
                    write(batch);
                } catch (SQLException | RuntimeException e) {
                    LOGGER.log(System.Logger.Level.WARNING, "Writing " + batch.size() + " analytics records failed: " + e.getMessage());
                } finally {
                    batch.clear();
                }
            }
        }
    }

    private void write(List<CompletionRecord> batch) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO completions (id, user_id, model, deployment, provider, stream, temperature, top_p, max_tokens, "
                        + "has_tools, prompt_tokens, completion_tokens, latency_ms, ttft_ms, attempts, outcome, error_code, "
                        + "conversation_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (id) DO NOTHING")) {
            for (CompletionRecord r : batch) {
                ps.setString(1, r.id());
                ps.setString(2, r.user());
                ps.setString(3, r.model());
                ps.setString(4, r.deployment());
                ps.setString(5, r.provider());
                ps.setBoolean(6, r.stream());
                ps.setObject(7, r.temperature(), java.sql.Types.DOUBLE);
                ps.setObject(8, r.topP(), java.sql.Types.DOUBLE);
                ps.setObject(9, r.maxTokens(), java.sql.Types.INTEGER);
                ps.setBoolean(10, r.hasTools());
                ps.setInt(11, r.usage().promptTokens());
                ps.setInt(12, r.usage().completionTokens());
                ps.setDouble(13, r.latencyMs());
                ps.setObject(14, r.ttftMs(), java.sql.Types.DOUBLE);
                ps.setInt(15, r.attempts());
                ps.setString(16, r.outcome());
                ps.setString(17, r.errorCode());
                ps.setObject(18, r.conversationId());
                ps.setTimestamp(19, Timestamp.from(r.at()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
