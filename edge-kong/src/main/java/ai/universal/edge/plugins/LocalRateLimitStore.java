package ai.universal.edge.plugins;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code policy: local}: counters in this process, one per window key, dropped when their window is over.
 */
public final class LocalRateLimitStore implements RateLimitStore {
    private final Map<String, long[]> counters = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private long nextSweep;

    @Override
    public Outcome checkAndCount(List<String> keys, List<Double> limits, List<Integer> ttlSeconds) {
        long now = System.currentTimeMillis();
        long[] usage = new long[keys.size()];
        lock.lock();
        try {
            sweep(now);
            boolean stopped = false;
            for (int i = 0; i < keys.size(); i++) {
                long[] c = counters.get(keys.get(i));
                usage[i] = c == null || c[1] <= now ? 0 : c[0];
                if (usage[i] >= limits.get(i)) {
                    stopped = true;
                }
            }
            if (!stopped) {
                for (int i = 0; i < keys.size(); i++) {
                    long expires = now + ttlSeconds.get(i) * 1000L;
                    long[] c = counters.get(keys.get(i));
                    if (c == null || c[1] <= now) {
                        counters.put(keys.get(i), new long[] {1, expires});
                    } else {
                        c[0]++;
                    }
                }
            }
            return new Outcome(usage, stopped);
        } finally {
            lock.unlock();
        }
    }

    private void sweep(long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + 10_000;
        Iterator<long[]> it = counters.values().iterator();
        while (it.hasNext()) {
            if (it.next()[1] <= now) {
                it.remove();
            }
        }
    }
}
