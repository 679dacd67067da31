package ai.universal.bench.memory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.http.Json;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;
import ai.universal.memory.MemoryApp;
import ai.universal.ml.MlApp;
import ai.universal.vector.VectorApp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Drives svc-memory over HTTP with generated sentences and prints one Markdown table. Phases per target size: load
 * (batch adds of 100 with CONCURRENCY clients, each embedded and deduplicated — or, above {@code bulkAbove}, SQL COPY
 * with reused embeddings, see {@link Floor}), the wait until the outbox is drained (searchable), single adds one at a
 * time on top (latency with embedding and dedupe), then the same hybrid searches through svc-memory and through the
 * floor (svc-ml embed + svc-vector search beside one PostgreSQL full-text query), interleaved, and a parallel run.
 */
public final class MemoryBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String[] NAMES = {"Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Heidi", "Ivan",
        "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Zoe", "Amara",
        "Bruno", "Chen", "Dalia", "Emeka", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kaito", "Leila", "Mateo", "Nadia",
        "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq"};
    private static final String[] VERBS = {"likes", "dislikes", "collects", "repairs", "paints", "studies", "sells",
        "borrowed", "lost", "found", "ordered", "cooked", "photographed", "recommended", "forgot", "gave away", "rented",
        "is saving for", "wrote about", "complained about", "dreams of", "is allergic to", "teaches", "builds",
        "stores"};
    private static final String[] OBJECTS = {"vintage bicycles", "green tea", "jazz records", "mountain maps", "old clocks",
        "sourdough bread", "wool sweaters", "board games", "science fiction novels", "orchids", "film cameras",
        "chess sets", "spicy noodles", "silver rings", "river stones", "paper lanterns", "tomato seedlings",
        "electric guitars", "ceramic bowls", "winter boots", "sailing boats", "honey jars", "racing drones",
        "oil paintings", "tax documents", "wedding photos", "garden tools", "vinyl turntables", "running shoes",
        "coffee beans", "model trains", "concert tickets", "hiking poles", "wooden spoons", "telescope lenses",
        "knitting patterns", "laptop chargers", "birthday cakes", "fishing rods", "piano sheets", "solar panels",
        "leather wallets", "chili sauce", "moon cakes", "ski goggles", "herbal soaps", "comic books", "desk lamps",
        "olive oil", "camping tents"};
    private static final String[] PLACES = {"in Lisbon", "at the market", "near the lake", "at work", "in the garage",
        "at grandma's house", "on the train", "in the attic", "at the library", "during the holidays", "in Kyoto",
        "at the harbour", "after the concert", "before breakfast", "in the park", "in Nairobi", "at the airport",
        "in the basement", "at the gym", "in Montreal", "at the flea market", "by the sea", "in the office kitchen",
        "at the campsite", "in Reykjavik", "at the bakery", "on the balcony", "in the studio", "at school",
        "in Buenos Aires"};
    private static final String[] WHEN = {"every Monday", "last spring", "since 2019", "on weekends", "twice a year",
        "every evening", "in July", "once a month", "on rainy days", "at dawn", "after work", "during Ramadan",
        "every Christmas", "in the nineties", "this autumn", "on birthdays", "when travelling", "at night",
        "every other Friday", "in winter"};

    private MemoryBench() {
    }

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // the services' non-daemon threads would keep a failed run alive
        }
    }

    private static void run() throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("sizes", "10000").split(",")).mapToInt(Integer::parseInt).toArray();
        int single = Integer.getInteger("single", 300);
        int queries = Integer.getInteger("queries", 500);
        int concurrency = Integer.getInteger("concurrency", 4);
        int bulkAbove = Integer.getInteger("bulkAbove", 20_000);
        int optimizeSegments = Integer.getInteger("optimizeSegments", 0);

        TestInfra.Infra infra = TestInfra.fresh();
        TestAuthServer auth = TestAuthServer.start();
        String relayKey = auth.apiKey("svc-memory", List.of("vectors:read", "vectors:write"));
        Map<String, String> common = new HashMap<>(auth.environment());
        common.put("API_KEY_CACHE_TTL", "600s");
        Map<String, String> mlEnv = new HashMap<>(common);
        mlEnv.put("ML_PORT", "0");
        mlEnv.put("ML_MODELS", "all-minilm-l6-v2");
        RunningService ml = ServiceRunner.start(new MlApp(), ServiceRunner.environment(mlEnv, System::getenv));
        Map<String, String> vectorEnv = new HashMap<>(common);
        vectorEnv.put("VECTOR_PORT", "0");
        vectorEnv.put("VECTOR_DATA_DIR", Files.createTempDirectory("bench-memory-vector").toString());
        RunningService vector = ServiceRunner.start(new VectorApp(), ServiceRunner.environment(vectorEnv, System::getenv));
        Map<String, String> env = new HashMap<>(common);
        env.putAll(infra.environment());
        env.put("MEMORY_PORT", "0");
        env.put("ML_SERVICE_URL", ml.baseUrl());
        env.put("VECTOR_DB_URL", vector.baseUrl());
        env.put("MEMORY_SERVICE_API_KEY", relayKey);
        env.put("MEMORY_RELAY_BATCH", "256");
        env.put("DB_POOL_SIZE", "16");
        RunningService memory = ServiceRunner.start(new MemoryApp(), ServiceRunner.environment(env, System::getenv));
        String base = memory.baseUrl();
        String token = auth.token("bench-user", List.of("user"), "*");
        String admin = auth.token("bench-admin", List.of("user", "admin"), "*");
        await(() -> status(ml.baseUrl() + "/health", null) == 200, Duration.ofMinutes(2));
        Floor floor = new Floor(ml.baseUrl(), vector.baseUrl(), token, relayKey, infra.databaseUrl(), "bench-user");

        Random random = new Random(42);
        // Warm-up: JIT, connection pools, the model's first batches.
        for (int i = 0; i < 50; i++) {
            post(base + "/v1/memories", token, Map.of("text", sentence(random)));
            post(base + "/v1/memories/search", token, Map.of("query", query(random), "limit", 10));
        }
        drain(base, admin);
        for (int i = 0; i < 50; i++) {
            floor.search(query(random));
        }

        StringBuilder table = new StringBuilder();
        table.append("| memories stored | loaded by | load throughput (memories/s) | searchable after load (s) |")
                .append(" single add p50 / p99 (ms) | add floor p50 / p99 (ms) | search p50 / p99 (ms) | floor p50 / p99 (ms) | p50 ratio |")
                .append(" search, ").append(concurrency).append(" clients (q/s) |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder notes = new StringBuilder();
        int sent = 50;
        AtomicInteger added = new AtomicInteger(count(base, token));
        for (int size : sizes) {
            // 1. Load up to the size less the single adds, through HTTP with embedding, or in bulk beyond bulkAbove.
            int toLoad = Math.max(0, size - single - added.get());
            boolean bulk = size > bulkAbove;
            long loadStart = System.nanoTime();
            if (bulk) {
                added.addAndGet(floor.bulkLoad(toLoad, random));
            } else {
                loadOverHttp(base, token, toLoad, concurrency, random, added);
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            drain(base, admin);
            double searchableSeconds = (System.nanoTime() - loadStart) / 1e9;
            sent += toLoad;
            System.out.printf("loaded %,d memories (%s) in %.1f s, searchable after %.1f s%n", toLoad,
                              bulk ? "bulk" : "http", loadSeconds, searchableSeconds);
            if (bulk && optimizeSegments > 0) {
                // What svc-vector's README prescribes after a bulk load: merge the many small HNSW segments the relay's
                // writes left (svc-vector would otherwise still be merging in the background while adds are measured).
                long t = System.nanoTime();
                post(vector.baseUrl() + "/v1/vectors/collections/memories/optimize", relayKey,
                     Map.of("max_segments", optimizeSegments));
                System.out.printf("optimized svc-vector's collection to at most %d segments in %.1f s%n", optimizeSegments,
                                  (System.nanoTime() - t) / 1e9);
            }

            // 2. Single adds, one at a time, on top of the loaded memories (embedding + dedupe lookup + commit).
            // Interleaved with the add floor: embed + nearest-neighbour lookup + one INSERT committed, nothing around them.
            long[] addNanos = new long[single];
            long[] addFloorNanos = new long[single];
            for (int i = 0; i < single; i++) {
                String text = sentence(random);
                long t = System.nanoTime();
                JsonNode r = post(base + "/v1/memories", token, Map.of("text", text, "metadata", Map.of("n", i)));
                addNanos[i] = System.nanoTime() - t;
                if ("added".equals(r.path("result").asText())) {
                    added.incrementAndGet();
                }
                t = System.nanoTime();
                floor.add(sentence(random));
                addFloorNanos[i] = System.nanoTime() - t;
            }
            sent += single;
            drain(base, admin);

            // 3. The same queries through svc-memory and through the floor, interleaved so both see the same load.
            List<String> qs = new ArrayList<>();
            for (int i = 0; i < queries; i++) {
                qs.add(query(random));
            }
            long[] searchNanos = new long[queries];
            long[] floorNanos = new long[queries];
            for (int i = 0; i < queries; i++) {
                long t = System.nanoTime();
                JsonNode r = post(base + "/v1/memories/search", token, Map.of("query", qs.get(i), "limit", 10));
                searchNanos[i] = System.nanoTime() - t;
                if (r.path("results").isEmpty() || !"ok".equals(r.path("semantic").asText())) {
                    throw new IllegalStateException("search found nothing or ran without its semantic side: " + r);
                }
                t = System.nanoTime();
                floor.search(qs.get(i));
                floorNanos[i] = System.nanoTime() - t;
            }
            int parallelQueries = queries * 2;
            AtomicInteger q = new AtomicInteger();
            long parStart = System.nanoTime();
            clients(concurrency, random, r -> {
                while (q.getAndIncrement() < parallelQueries) {
                    post(base + "/v1/memories/search", token, Map.of("query", query(r), "limit", 10));
                }
            });
            double qps = parallelQueries / ((System.nanoTime() - parStart) / 1e9);
            JsonNode count = get(vector.baseUrl() + "/v1/vectors/collections/memories", relayKey);
            table.append(String.format("| %,d (%,d points indexed) | %s | %.0f | %.1f | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f"
                                               + " | %.1f / %.1f | %.2f× | %.0f |%n",
                                       added.get(), count.path("points").asLong(),
                                       bulk ? "SQL COPY (" + String.format("%,d", toLoad) + ")"
                                               : "HTTP batches of 100, " + concurrency + " clients",
                                       toLoad / loadSeconds, searchableSeconds, pct(addNanos, 50), pct(addNanos, 99),
                                       pct(addFloorNanos, 50), pct(addFloorNanos, 99),
                                       pct(searchNanos, 50), pct(searchNanos, 99), pct(floorNanos, 50), pct(floorNanos, 99),
                                       pct(searchNanos, 50) / pct(floorNanos, 50), qps));
            notes.append(String.format("size %,d: floor parts p50 — add: embed %.1f ms, svc-vector lookup %.1f ms, INSERT + commit"
                                               + " %.1f ms; search: embed %.1f ms, svc-vector search %.1f ms, PostgreSQL"
                                               + " full-text %.1f ms%n", size, floor.p50(Floor.Part.ADD_EMBED),
                                       floor.p50(Floor.Part.ADD_LOOKUP), floor.p50(Floor.Part.ADD_INSERT),
                                       floor.p50(Floor.Part.SEARCH_EMBED), floor.p50(Floor.Part.SEARCH_VECTOR),
                                       floor.p50(Floor.Part.SEARCH_TEXT)));
            floor.resetParts();
            System.out.println("done: " + added.get() + " memories stored from " + sent + " adds sent");
        }
        System.out.println();
        System.out.print(table);
        System.out.println();
        System.out.print(notes);
        System.out.println("JVM " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs; svc-ml, "
                                   + "svc-vector and svc-memory share this JVM and its CPUs with the load driver.");
        memory.stop();
        vector.stop();
        ml.stop();
        auth.close();
        floor.close();
        TestInfra.drop(infra);
        System.exit(0);
    }

    private static void loadOverHttp(String base, String token, int toLoad, int concurrency, Random random,
                                     AtomicInteger added) throws Exception {
        int batches = (toLoad + 99) / 100;
        AtomicInteger next = new AtomicInteger();
        clients(concurrency, random, r -> {
            int b;
            while ((b = next.getAndIncrement()) < batches) {
                int n = Math.min(100, toLoad - b * 100);
                List<Map<String, Object>> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(Map.of("text", sentence(r), "metadata", Map.of("batch", b)));
                }
                added.addAndGet(post(base + "/v1/memories", token, Map.of("memories", items)).path("added").asInt());
            }
        });
    }

    /** One client's work: its own seeded random source, shared counters for what is left. */
    private interface Client {
        void run(Random random) throws Exception;
    }

    /** Runs {@code concurrency} clients at once, each seeded from {@code random}, and waits for all of them. */
    private static void clients(int concurrency, Random random, Client client) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                long seed = random.nextLong();
                futures.add(pool.submit(() -> {
                    client.run(new Random(seed));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
    }

    private static int count(String base, String token) {
        int n = 0;
        String cursor = null;
        do {
            JsonNode page = get(base + "/v1/memories?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), token);
            n += page.path("memories").size();
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
        } while (cursor != null);
        return n;
    }

    static String sentence(Random r) {
        return pick(r, NAMES) + " " + pick(r, VERBS) + " " + pick(r, OBJECTS) + " " + pick(r, PLACES) + " " + pick(r, WHEN)
                + " (note " + r.nextInt(1_000_000) + ").";
    }

    static String query(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> "What does " + pick(r, NAMES) + " think about " + pick(r, OBJECTS) + "?";
            case 1 -> pick(r, OBJECTS) + " " + pick(r, PLACES);
            default -> "who " + pick(r, VERBS) + " things " + pick(r, WHEN);
        };
    }

    private static String pick(Random r, String[] words) {
        return words[r.nextInt(words.length)];
    }

    static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    private static void drain(String base, String admin) throws InterruptedException {
        await(() -> get(base + "/v1/memories/admin/outbox", admin).path("pending").asLong() == 0, Duration.ofMinutes(30));
    }

    private static void await(java.util.function.BooleanSupplier done, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("gave up after " + limit);
            }
            Thread.sleep(50);
        }
    }

    static JsonNode post(String url, String token, Object body) {
        return call(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))), token);
    }

    static JsonNode get(String url, String token) {
        return call(HttpRequest.newBuilder(URI.create(url)).GET(), token);
    }

    private static JsonNode call(HttpRequest.Builder b, String token) {
        try {
            HttpResponse<byte[]> r = HTTP.send(b.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60))
                                                       .build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(r.statusCode() + " " + new String(r.body()));
            }
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int status(String url, String token) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
