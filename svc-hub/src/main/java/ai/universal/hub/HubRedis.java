package ai.universal.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The hub's Redis data, every key under the service prefix {@code P}:
 * <pre>
 * P h|{channel}|epoch    string   the channel's current epoch (a new one when history starts or was lost)
 * P h|{channel}|offset   counter  last offset given out in that epoch
 * P h|{channel}|stream   stream   the last N publications, entry id {offset}-0, fields d (data) p (publisher) t (ms)
 *                                 all three expire together {@code history-ttl} after the last publication
 * P fanout               pub/sub  every publication and join/leave: "{channel}\n{epoch}\n{offset}\n{frame}"
 * P p|{group}            hash     user → connections, across nodes (group = "ch:{channel}" or "conns")
 * P p|{group}|{node}     hash     user → connections on one node
 * P ng|{node}            set      groups a node has entries in
 * P nodes                zset     node → heartbeat deadline (ms); nodes past it are reaped by any other node
 * P evt|{sha256}         string   platform events already published (dedupe across nodes)
 * </pre>
 * Offsets are handed out and published inside one script, so the order of offsets is the order of the fan-out.
 */
final class HubRedis {
    private static final String PUBLISH = """
            if ARGV[9] ~= '0' then
              if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[9]) then return false end
            end
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then
              epoch = ARGV[1]
              redis.call('DEL', KEYS[2], KEYS[3])
            end
            local off = redis.call('INCR', KEYS[2])
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], off .. '-0', 'd', ARGV[7], 'p', ARGV[8], 't', ARGV[4])
            redis.call('SET', KEYS[1], epoch, 'PX', ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            redis.call('PEXPIRE', KEYS[3], ARGV[3])
            local frame = ARGV[5] .. '"offset":' .. off .. ',"epoch":"' .. epoch .. '"' .. ARGV[6]
            redis.call('PUBLISH', ARGV[10], ARGV[11] .. '\\n' .. epoch .. '\\n' .. off .. '\\n' .. frame)
            return {epoch, off}
            """;
    private static final String POSITION = """
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then
              epoch = ARGV[1]
              redis.call('DEL', KEYS[2], KEYS[3])
              redis.call('SET', KEYS[1], epoch, 'PX', ARGV[2])
            end
            local top = tonumber(redis.call('GET', KEYS[2]) or '0')
            local since = tonumber(ARGV[3])
            local entries = {}
            if since >= 0 and since < top and ARGV[5] == epoch then
              entries = redis.call('XRANGE', KEYS[3], (since + 1) .. '-0', '+', 'COUNT', ARGV[4])
            end
            return {epoch, top, entries}
            """;
    private static final String PRESENCE_ADD = """
            local n = redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[2])
            if n <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
            redis.call('SADD', KEYS[3], ARGV[3])
            local c = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
            if c <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
            return c
            """;
    private static final String PRESENCE_SYNC = """
            local old = {}
            local flat = redis.call('HGETALL', KEYS[2])
            for i = 1, #flat, 2 do old[flat[i]] = tonumber(flat[i + 1]) end
            local want = {}
            for i = 2, #ARGV, 2 do want[ARGV[i]] = tonumber(ARGV[i + 1]) end
            for u, _ in pairs(old) do if not want[u] then want[u] = 0 end end
            local changes = {}
            redis.call('DEL', KEYS[2])
            local any = false
            for u, c in pairs(want) do
              local d = c - (old[u] or 0)
              if d ~= 0 then
                local before = tonumber(redis.call('HGET', KEYS[1], u) or '0')
                local after = redis.call('HINCRBY', KEYS[1], u, d)
                if after <= 0 then redis.call('HDEL', KEYS[1], u) end
                if before <= 0 and after > 0 then table.insert(changes, 'join'); table.insert(changes, u) end
                if before > 0 and after <= 0 then table.insert(changes, 'leave'); table.insert(changes, u) end
              end
              if c > 0 then redis.call('HSET', KEYS[2], u, c); any = true end
            end
            if any then redis.call('SADD', KEYS[3], ARGV[1]) end
            return changes
            """;
    private static final String REAP = """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
            if not score or tonumber(score) > tonumber(ARGV[3]) then return {} end
            local groups = redis.call('SMEMBERS', ARGV[1] .. 'ng|' .. ARGV[2])
            local changes = {}
            for _, g in ipairs(groups) do
              local nk = ARGV[1] .. 'p|' .. g .. '|' .. ARGV[2]
              local ck = ARGV[1] .. 'p|' .. g
              local flat = redis.call('HGETALL', nk)
              for i = 1, #flat, 2 do
                local after = redis.call('HINCRBY', ck, flat[i], -tonumber(flat[i + 1]))
                if after <= 0 then
                  redis.call('HDEL', ck, flat[i])
                  table.insert(changes, g)
                  table.insert(changes, flat[i])
                end
              end
              redis.call('DEL', nk)
            end
            redis.call('DEL', ARGV[1] .. 'ng|' .. ARGV[2])
            redis.call('ZREM', KEYS[1], ARGV[2])
            return changes
            """;
    private static final String HEARTBEAT = """
            local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
            redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
            if known then return 1 end
            return 0
            """;

    private final UnifiedJedis jedis;
    private final String prefix;
    private final String node;
    private final Map<String, String> shas = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The outcome of a publication with history.
     *
     * @param epoch  epoch
     * @param offset offset
     */
    record Published(String epoch, long offset) {
    }

    /**
     * A stored publication.
     *
     * @param offset    offset
     * @param data      payload JSON
     * @param publisher publisher
     * @param timestamp publish time (epoch ms)
     */
    record Stored(long offset, String data, String publisher, long timestamp) {
    }

    /**
     * A channel's position and what was read after a given offset.
     *
     * @param epoch   current epoch
     * @param top     last offset
     * @param entries publications after the requested offset (empty when none were asked for or the epoch differs)
     */
    record Position(String epoch, long top, List<Stored> entries) {
    }

    /**
     * A user whose presence in a group changed across the cluster.
     *
     * @param group  group
     * @param user   user
     * @param joined true for join, false for leave
     */
    record Change(String group, String user, boolean joined) {
    }

    HubRedis(UnifiedJedis jedis, String prefix, String node) {
        this.jedis = jedis;
        this.prefix = prefix;
        this.node = node;
    }

    String fanoutChannel() {
        return prefix + "fanout";
    }

    /**
     * Publish with history: next offset, stored, fanned out.
     *
     * @param channel      channel
     * @param head         frame text before the offset
     * @param tail         frame text after the epoch
     * @param data         payload JSON
     * @param publisher    publisher
     * @param historySize  entries kept
     * @param ttlMillis    history lifetime after the last publication
     * @param dedupKey     dedupe key (null for none)
     * @param dedupMillis  how long the dedupe key lives
     * @param nowMillis    now
     * @return the offset and epoch, or null when the dedupe key was already taken
     */
    Published publish(String channel, String head, String tail, String data, String publisher, int historySize,
                      long ttlMillis, String dedupKey, long dedupMillis, long nowMillis) {
        Object result = eval(PUBLISH,
                             List.of(key(channel, "epoch"), key(channel, "offset"), key(channel, "stream"),
                                     dedupKey == null ? prefix + "evt|none" : prefix + "evt|" + dedupKey),
                             List.of(newEpoch(), Integer.toString(historySize), Long.toString(ttlMillis),
                                     Long.toString(nowMillis), head, tail, data, publisher,
                                     dedupKey == null ? "0" : Long.toString(dedupMillis), fanoutChannel(), channel));
        if (result == null) {
            return null;
        }
        List<?> list = (List<?>) result;
        return new Published((String) list.get(0), (Long) list.get(1));
    }

    /**
     * Publish without history.
     *
     * @param channel     channel
     * @param frame       frame text
     * @param dedupKey    dedupe key or null
     * @param dedupMillis its lifetime
     * @return false when deduplicated
     */
    boolean publishPlain(String channel, String frame, String dedupKey, long dedupMillis) {
        if (dedupKey != null
                && jedis.set(prefix + "evt|" + dedupKey, "1",
                             redis.clients.jedis.params.SetParams.setParams().nx().px(dedupMillis)) == null) {
            return false;
        }
        jedis.publish(fanoutChannel(), channel + "\n\n\n" + frame);
        return true;
    }

    /**
     * The channel's position, and the publications after {@code since} when the epoch matches.
     *
     * @param channel   channel
     * @param since     offset (-1 for none)
     * @param epoch     epoch the offset belongs to (null for none)
     * @param max       most entries to read
     * @param ttlMillis lifetime of a newly created epoch
     * @return position
     */
    Position position(String channel, long since, String epoch, int max, long ttlMillis) {
        List<?> list = (List<?>) eval(POSITION,
                                      List.of(key(channel, "epoch"), key(channel, "offset"), key(channel, "stream")),
                                      List.of(newEpoch(), Long.toString(ttlMillis), Long.toString(since),
                                              Integer.toString(max), epoch == null ? "" : epoch));
        List<Stored> entries = new ArrayList<>();
        for (Object raw : (List<?>) list.get(2)) {
            List<?> entry = (List<?>) raw;
            String id = (String) entry.get(0);
            List<?> fields = (List<?>) entry.get(1);
            Map<String, String> map = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                map.put((String) fields.get(i), (String) fields.get(i + 1));
            }
            entries.add(stored(id, map));
        }
        return new Position((String) list.get(0), (Long) list.get(1), entries);
    }

    /**
     * The newest publications of a channel.
     *
     * @param channel channel
     * @param limit   how many
     * @return epoch (null when the channel has no history), top offset and entries oldest first
     */
    Position latest(String channel, int limit) {
        String epoch = jedis.get(key(channel, "epoch"));
        if (epoch == null) {
            return new Position(null, 0, List.of());
        }
        String top = jedis.get(key(channel, "offset"));
        List<StreamEntry> newest = jedis.xrevrange(key(channel, "stream"), "+", "-", limit);
        List<Stored> entries = new ArrayList<>();
        for (int i = newest.size() - 1; i >= 0; i--) {
            StreamEntry e = newest.get(i);
            entries.add(stored(e.getID().toString(), e.getFields()));
        }
        return new Position(epoch, top == null ? 0 : Long.parseLong(top), entries);
    }

    /**
     * Change this node's count of a user in a group.
     *
     * @param group group
     * @param user  user
     * @param delta +1 or -1
     * @return the user's count across the cluster afterwards
     */
    long presenceAdd(String group, String user, int delta) {
        return (Long) eval(PRESENCE_ADD,
                           List.of(prefix + "p|" + group, prefix + "p|" + group + "|" + node, prefix + "ng|" + node),
                           List.of(user, Integer.toString(delta), group));
    }

    /**
     * Make this node's entries of a group equal to its local counts.
     *
     * @param group  group
     * @param counts user → local connections
     * @return users whose cluster presence started or ended
     */
    List<Change> presenceSync(String group, Map<String, Integer> counts) {
        List<String> args = new ArrayList<>();
        args.add(group);
        counts.forEach((user, count) -> {
            args.add(user);
            args.add(Integer.toString(count));
        });
        List<?> flat = (List<?>) eval(PRESENCE_SYNC,
                                      List.of(prefix + "p|" + group, prefix + "p|" + group + "|" + node,
                                              prefix + "ng|" + node),
                                      args);
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            changes.add(new Change(group, (String) flat.get(i + 1), "join".equals(flat.get(i))));
        }
        return changes;
    }

    /**
     * Users in a group across the cluster.
     *
     * @param group group
     * @return user → connections
     */
    Map<String, Long> presence(String group) {
        Map<String, Long> result = new HashMap<>();
        jedis.hgetAll(prefix + "p|" + group).forEach((user, count) -> result.put(user, Long.parseLong(count)));
        result.values().removeIf(c -> c <= 0);
        return result;
    }

    /**
     * Refresh this node's heartbeat deadline.
     *
     * @param deadlineMillis when the node counts as dead without another heartbeat
     * @return false when Redis did not know this node (first start, reaped, or Redis lost its data): resync
     */
    boolean heartbeat(long deadlineMillis) {
        return (Long) eval(HEARTBEAT, List.of(prefix + "nodes"), List.of(node, Long.toString(deadlineMillis))) == 1L;
    }

    /**
     * Remove the presence of every node whose heartbeat deadline passed.
     *
     * @param nowMillis now
     * @return users whose cluster presence ended
     */
    List<Change> reapDeadNodes(long nowMillis) {
        List<Change> changes = new ArrayList<>();
        for (String dead : jedis.zrangeByScore(prefix + "nodes", "-inf", "(" + nowMillis)) {
            List<?> flat = (List<?>) eval(REAP, List.of(prefix + "nodes"),
                                          List.of(prefix, dead, Long.toString(nowMillis)));
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                changes.add(new Change((String) flat.get(i), (String) flat.get(i + 1), false));
            }
        }
        return changes;
    }

    /**
     * Remove this node's entries (clean shutdown).
     *
     * @return users whose cluster presence ended
     */
    List<Change> leaveCluster() {
        jedis.zadd(prefix + "nodes", 0, node);
        List<?> flat = (List<?>) eval(REAP, List.of(prefix + "nodes"), List.of(prefix, node, "1"));
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            changes.add(new Change((String) flat.get(i), (String) flat.get(i + 1), false));
        }
        return changes;
    }

    /**
     * Groups this node has presence entries in.
     *
     * @return groups
     */
    java.util.Set<String> nodeGroups() {
        return jedis.smembers(prefix + "ng|" + node);
    }

    /**
     * Fan out a frame without an offset (join, leave).
     *
     * @param channel channel
     * @param frame   frame
     */
    void fanout(String channel, String frame) {
        jedis.publish(fanoutChannel(), channel + "\n\n\n" + frame);
    }

    private static Stored stored(String id, Map<String, String> fields) {
        long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
        String t = fields.get("t");
        return new Stored(offset, fields.get("d"), fields.get("p"), t == null ? 0 : Long.parseLong(t));
    }

    private String key(String channel, String part) {
        return prefix + "h|" + channel + "|" + part;
    }

    private static String newEpoch() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private Object eval(String script, List<String> keys, List<String> args) {
        String sha = shas.get(script);
        if (sha != null) {
            try {
                return jedis.evalsha(sha, keys, args);
            } catch (JedisNoScriptException e) {
                shas.remove(script);
            }
        }
        sha = jedis.scriptLoad(script);
        shas.put(script, sha);
        return jedis.evalsha(sha, keys, args);
    }
}
