package ai.universal.edge.plugins;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code policy: redis}: Kong's counter keys ({@code ratelimit:<route_id>:<service_id>:<identifier>:<period_date>:<period>})
 * holding the count of admitted requests, with the window's lifetime as TTL. Check and count run as one atomic Lua
 * script, so two edges sharing a Redis enforce exactly one limit.
 *
 * <p>Requests do not each pay a blocking round trip: they queue, and one sender thread takes every request queued so
 * far, writes them to one connection as a pipeline, reads the replies in order and hands each request its own
 * outcome. While a batch is on the wire the next one gathers, so under load one round trip serves many requests, and
 * an idle edge sends a lone request at once (no gathering delay). Requests of a batch with the same counters (same
 * plugin, same identifier, same windows) go as one script call that counts them one after another in arrival order —
 * the outcome of each is exactly what one call per request in a row would have given (see {@link #SCRIPT}). A failed
 * batch (Redis down, timeout) fails each of its requests, which the plugin then lets through or refuses per
 * {@code fault_tolerant}.
 */
public final class RedisRateLimitStore implements RateLimitStore, AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(RedisRateLimitStore.class.getName());
    private static final int MAX_BATCH = 256;
    /**
     * Check and count {@code m} requests with the same keys at once, exactly as {@code m} calls of the one-request
     * script in a row would: request {@code j} (0-based) sees each window at {@code v + j} and passes while every
     * window has room ({@code v + j < limit}); the first one that finds a window full stops, and so do all after it,
     * seeing {@code v + admitted}. So the number admitted is {@code min(m, ceil(limit - v))} over the windows, and
     * each counter grows by that number in one INCRBY; the TTL is set when the key is new (or has none), as before.
     * KEYS: one counter per window; ARGV: limits, then TTLs, then {@code m}. Returns the values before, then the
     * number admitted.
     */
    private static final String SCRIPT = """
            local n = #KEYS
            local admit = tonumber(ARGV[2 * n + 1])
            local result = {}
            for i = 1, n do
              local v = tonumber(redis.call('GET', KEYS[i]) or '0')
              result[i] = v
              local room = math.ceil(tonumber(ARGV[i]) - v)
              if room < admit then admit = room end
            end
            if admit < 0 then admit = 0 end
            if admit > 0 then
              for i = 1, n do
                local v = redis.call('INCRBY', KEYS[i], admit)
                if v == admit or redis.call('TTL', KEYS[i]) < 0 then
                  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[n + i]))
                end
              end
            end
            result[n + 1] = admit
            return result
            """;


    private final JedisPool pool;
    private final long waitMillis;
    private final String name;
    private final LinkedBlockingQueue<Call> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock startLock = new ReentrantLock();
    private volatile Thread sender;
    private volatile boolean closed;
    private String sha;

    /**
     * Create a store on a pool.
     *
     * @param pool      Jedis pool (owned by the caller; the sender borrows one connection per batch)
     * @param timeoutMs the plugin's {@code redis.timeout}: how long a request waits for its reply before the store
     *                  counts as failed (twice this, since a reply may wait behind one batch in flight)
     * @param name      for the sender thread's name
     */
    public RedisRateLimitStore(JedisPool pool, int timeoutMs, String name) {
        this.pool = pool;
        this.waitMillis = 2L * Math.max(1, timeoutMs) + 50;
        this.name = name;
    }

    @Override
    public Outcome checkAndCount(List<String> keys, List<Double> limits, List<Integer> ttlSeconds) throws Exception {
        if (closed) {
            throw new IllegalStateException("rate-limiting redis store is closed");
        }
        List<String> args = new ArrayList<>(keys.size() * 2);
        for (Double limit : limits) {
            args.add(limit == Math.rint(limit) ? String.valueOf(limit.longValue()) : String.valueOf(limit));
        }
        for (Integer ttl : ttlSeconds) {
            args.add(String.valueOf(ttl));
        }
        Call call = new Call(keys, args);
        queue.add(call);
        ensureSender();
        try {
            return call.reply.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("no reply from Redis within " + waitMillis + " ms");
        }
    }

    private void ensureSender() {
        if (sender != null) {
            return;
        }
        startLock.lock();
        try {
            if (sender == null && !closed) {
                sender = Thread.ofPlatform().daemon().name("rate-limiting-redis-" + name).start(this::run);
            }
        } finally {
            startLock.unlock();
        }
    }

    private void run() {
        List<Call> batch = new ArrayList<>(MAX_BATCH);
        while (!closed) {
            try {
                Call first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                send(batch);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | Error e) {
                for (Call call : batch) {
                    call.reply.completeExceptionally(e);
                }
                LOGGER.log(System.Logger.Level.DEBUG, "rate-limiting redis batch failed: " + e);
            } finally {
                batch.clear();
            }
        }
        IllegalStateException stopped = new IllegalStateException("rate-limiting redis store is closed");
        Call call;
        while ((call = queue.poll()) != null) {
            call.reply.completeExceptionally(stopped);
        }
    }

    /**
     * One pipelined round trip for the batch: one script call per group of requests with the same keys and limits
     * (in arrival order); groups whose script was not cached (Redis restarted or flushed its scripts) are sent again
     * once the script is loaded.
     */
    private void send(List<Call> batch) {
        Map<String, Group> byKeys = new LinkedHashMap<>();
        for (Call call : batch) {
            byKeys.computeIfAbsent(call.groupKey(), k -> new Group(call.keys, call.args)).calls.add(call);
        }
        try (Jedis jedis = pool.getResource()) {
            if (sha == null) {
                sha = jedis.scriptLoad(SCRIPT);
            }
            List<Group> pending = new ArrayList<>(byKeys.values());
            for (int attempt = 0; attempt < 2 && !pending.isEmpty(); attempt++) {
                List<Response<Object>> replies = new ArrayList<>(pending.size());
                Pipeline pipeline = jedis.pipelined();
                for (Group group : pending) {
                    List<String> args = new ArrayList<>(group.args.size() + 1);
                    args.addAll(group.args);
                    args.add(String.valueOf(group.calls.size()));
                    replies.add(pipeline.evalsha(sha, group.keys, args));
                }
                pipeline.sync();
                List<Group> noScript = new ArrayList<>(0);
                for (int i = 0; i < pending.size(); i++) {
                    Group group = pending.get(i);
                    try {
                        group.complete((List<?>) replies.get(i).get());
                    } catch (JedisDataException e) {
                        if (attempt == 0 && e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")) {
                            noScript.add(group);
                        } else {
                            group.calls.forEach(c -> c.reply.completeExceptionally(e));
                        }
                    }
                }
                if (!noScript.isEmpty()) {
                    sha = jedis.scriptLoad(SCRIPT);
                }
                pending = noScript;
            }
        }
    }

    /**
     * Stop the sender; queued requests fail (and pass or not per {@code fault_tolerant}).
     */
    @Override
    public void close() {
        closed = true;
        Thread t = sender;
        if (t != null) {
            t.interrupt();
        }
    }

    private record Call(List<String> keys, List<String> args, CompletableFuture<Outcome> reply) {
        private Call(List<String> keys, List<String> args) {
            this(keys, args, new CompletableFuture<>());
        }

        private String groupKey() {
            return String.join("\n", keys) + "\n\n" + String.join("\n", args);
        }
    }

    /** Requests with the same keys and limits in one batch, in arrival order. */
    private static final class Group {
        private final List<String> keys;
        private final List<String> args;
        private final List<Call> calls = new ArrayList<>();

        private Group(List<String> keys, List<String> args) {
            this.keys = keys;
            this.args = args;
        }

        /** Request j of the group saw v + j and passed, or (j at or past the number admitted) saw v + admitted. */
        private void complete(List<?> values) {
            int n = keys.size();
            long admitted = ((Number) values.get(n)).longValue();
            for (int j = 0; j < calls.size(); j++) {
                long seen = Math.min(j, admitted);
                long[] usage = new long[n];
                for (int i = 0; i < n; i++) {
                    usage[i] = ((Number) values.get(i)).longValue() + seen;
                }
                calls.get(j).reply.complete(new Outcome(usage, j >= admitted));
            }
        }
    }
}
