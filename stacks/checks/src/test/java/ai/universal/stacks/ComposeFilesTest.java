package ai.universal.stacks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The compose files as a reviewer reads them: health checks, pinned images, production limits, no secret values,
 * the seed's ports, Kong reading the rendered kong.yml, and every service given every variable its code reads.
 */
class ComposeFilesTest {
    /** The documented combinations (stacks/validate.sh and stacks/README.md use exactly these). */
    static final List<List<String>> COMBINATIONS = combinationsOfValidateScript();
    static final List<String> APP_SERVICES = List.of("svc-auth", "svc-chat", "svc-hub", "svc-memory", "svc-ml", "svc-vector",
                                                     "svc-vision");
    /** The seed's port table (shared DESIGN.md). */
    static final Map<String, Integer> SEED_PORTS = new TreeMap<>(Map.ofEntries(
            Map.entry("svc-ml", 8010), Map.entry("svc-auth", 8015), Map.entry("svc-chat", 8016), Map.entry("svc-memory", 8017),
            Map.entry("svc-hub", 8018), Map.entry("svc-vision", 3033), Map.entry("svc-vector", 3034)));
    /** Images without a shell or HTTP client, so Docker cannot probe them from inside. */
    static final Map<String, String> NO_HEALTHCHECK = Map.of(
            "otel-collector", "otel/opentelemetry-collector-contrib is FROM scratch; Prometheus scrapes it instead");
    /** Variables a service reads that compose leaves unset on purpose. */
    static final Map<String, String> LEFT_UNSET = Map.of(
            "HUB_NODE_ID", "must differ per replica; svc-hub's default is random per process");

    @Test
    void everyServiceInEveryCombinationHasAHealthcheck() {
        List<String> missing = new ArrayList<>();
        for (List<String> files : COMBINATIONS) {
            Compose c = Compose.of(files.toArray(String[]::new));
            c.services().forEach((name, s) -> {
                JsonNode hc = s.path("healthcheck");
                boolean disabled = hc.path("disable").asBoolean(false);
                if (disabled && NO_HEALTHCHECK.containsKey(name)) {
                    return;
                }
                if (disabled || Compose.strings(hc.path("test")).isEmpty()) {
                    missing.add(files + ": " + name);
                }
            });
        }
        assertThat("services without a health check", missing, is(empty()));
    }

    @Test
    void dependenciesWaitForHealthNotJustStart() {
        List<String> loose = new ArrayList<>();
        for (List<String> files : COMBINATIONS) {
            Compose.of(files.toArray(String[]::new)).services().forEach((name, s) -> s.path("depends_on").fields()
                    .forEachRemaining(d -> {
                        if (!"service_healthy".equals(d.getValue().path("condition").asText())) {
                            loose.add(files + ": " + name + " → " + d.getKey());
                        }
                    }));
        }
        assertThat(loose, is(empty()));
    }

    @Test
    void everyImageIsPinnedToAVersion() {
        List<String> unpinned = new ArrayList<>();
        for (Path file : Repo.list(Repo.STACKS, "compose*.yml")) {
            Compose c = Compose.of(file.getFileName().toString());
            c.services().forEach((name, s) -> Compose.text(s.get("image")).ifPresent(image -> {
                if (!pinned(image)) {
                    unpinned.add(file.getFileName() + ": " + name + " " + image);
                }
            }));
        }
        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(Repo.read("stacks/Dockerfile"));
        Set<String> stages = new TreeSet<>(Set.of("build", "build-gpu", "jre", "runtime", "runtime-cuda"));
        while (from.find()) {
            String image = from.group(1);
            if (!stages.contains(image) && !pinned(image)) {
                unpinned.add("Dockerfile: " + image);
            }
        }
        assertThat(unpinned, is(empty()));
    }

    @Test
    void productionLimitsReservesAndLocksDownEveryService() {
        Compose prod = Compose.of("compose.yml", "compose.prod.yml");
        List<String> problems = new ArrayList<>();
        prod.services().forEach((name, s) -> {
            JsonNode res = s.path("deploy").path("resources");
            for (String path : List.of("limits/cpus", "limits/memory", "reservations/cpus", "reservations/memory")) {
                String[] p = path.split("/");
                if (res.path(p[0]).path(p[1]).isMissingNode()) {
                    problems.add(name + ": no deploy.resources." + p[0] + "." + p[1]);
                }
            }
            if (!s.path("read_only").asBoolean(false)) {
                problems.add(name + ": root filesystem not read-only");
            }
            if (!"always".equals(s.path("restart").asText())) {
                problems.add(name + ": restart is " + s.path("restart").asText());
            }
        });
        assertThat(problems, is(empty()));
        for (String service : APP_SERVICES) {
            JsonNode res = prod.service(service).path("deploy").path("resources");
            assertThat(service, Compose.withDefaults(res.path("limits").path("cpus").asText()), is("2"));
            assertThat(service, Compose.withDefaults(res.path("limits").path("memory").asText()), is("2g"));
            assertThat(service, Compose.withDefaults(res.path("reservations").path("cpus").asText()), is("0.5"));
            assertThat(service, Compose.withDefaults(res.path("reservations").path("memory").asText()), is("512m"));
            assertThat(service + " writes its JVM temp files to a tmpfs it may load native libraries from",
                       Compose.strings(prod.service(service).path("tmpfs")), contains("/tmp:size=256m,mode=1777,exec"));
        }
    }

    @Test
    void onlyKongPublishesPortsInTheDefaultAndProductionStacks() {
        for (Compose c : List.of(Compose.of("compose.yml"), Compose.of("compose.yml", "compose.prod.yml"))) {
            Map<String, List<String>> published = new TreeMap<>();
            c.services().forEach((name, s) -> {
                if (s.has("ports")) {
                    published.put(name, Compose.strings(s.get("ports")));
                }
            });
            assertThat(c.files().toString(), published,
                       equalTo(Map.of("kong", List.of("127.0.0.1:8001:8001", "0.0.0.0:8080:8080"))));
        }
    }

    @Test
    void portsFollowTheSeedTable() {
        Compose base = Compose.of("compose.yml");
        Compose dev = Compose.of("compose.yml", "compose.dev.yml");
        for (Map.Entry<String, Integer> e : SEED_PORTS.entrySet()) {
            String service = e.getKey();
            String port = String.valueOf(e.getValue());
            JsonNode s = base.service(service);
            assertThat(service + " build PORT (image HEALTH_PORT, EXPOSE)", s.path("build").path("args").path("PORT").asText(),
                       is(port));
            String portVariable = SourceScan.services().containsKey(service)
                    ? SourceScan.services().get(service).key().toUpperCase() + "_PORT"
                    : service.substring(4).toUpperCase() + "_PORT";
            assertThat(service + " " + portVariable, base.environment(service).get(portVariable), is(port));
            assertThat(service + " published by the dev override", Compose.strings(dev.service(service).path("ports")),
                       hasItem("127.0.0.1:" + port + ":" + port));
            assertThat(service + " URL the other services use", base.environment("svc-auth").values(),
                       hasItem("http://" + service + ":" + port));
        }
        for (Map.Entry<String, Integer> e : SourceScan.services().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, x -> x.getValue().port())).entrySet()) {
            assertThat("the seed's port for " + e.getKey() + " is the service's default", SEED_PORTS.get(e.getKey()),
                       is(e.getValue()));
        }
        Map<String, String> kong = base.environment("kong");
        assertThat(kong.get("KONG_PROXY_LISTEN"), is("0.0.0.0:8080"));
        assertThat(kong.get("KONG_ADMIN_LISTEN"), is("0.0.0.0:8001"));
        assertThat(kong.get("KONG_STATUS_LISTEN"), is("0.0.0.0:8100"));
        assertThat(Compose.strings(dev.service("postgres").path("ports")), contains("127.0.0.1:5432:5432"));
        assertThat(Compose.strings(dev.service("redis").path("ports")), contains("127.0.0.1:6379:6379"));
        Compose telemetry = Compose.of("compose.yml", "compose.telemetry.yml");
        assertThat(Compose.strings(telemetry.service("grafana").path("ports")), contains("127.0.0.1:3000:3000"));
        assertThat(Compose.strings(telemetry.service("prometheus").path("ports")), contains("127.0.0.1:9090:9090"));
        assertThat(Compose.strings(telemetry.service("jaeger").path("ports")), contains("127.0.0.1:16686:16686"));
        assertThat(Compose.strings(telemetry.service("otel-collector").path("ports")),
                   contains("127.0.0.1:4317:4317", "127.0.0.1:4318:4318"));
        assertThat(Compose.strings(Compose.of("compose.yml", "compose.ollama.yml").service("ollama").path("ports")),
                   contains("127.0.0.1:11434:11434"));
        String readme = Repo.read("stacks/README.md");
        for (String row : List.of("| Kong proxy | 8080 |", "| Kong admin / status | 8001 / 8100 |", "| svc-ml | 8010 |",
                                  "| svc-auth | 8015 |", "| svc-chat | 8016 |", "| svc-memory | 8017 |", "| svc-hub | 8018 |",
                                  "| svc-vision | 3033 |", "| svc-vector | 3034 |", "| PostgreSQL | 5432 |", "| Redis | 6379 |",
                                  "| Grafana | 3000 |", "| Prometheus | 9090 |", "| Jaeger UI | 16686 |",
                                  "| OTel collector | 4317 / 4318 |", "| Ollama | 11434 |")) {
            assertThat("stacks/README.md port table", readme, org.hamcrest.Matchers.containsString(row));
        }
    }

    @Test
    void kongLoadsTheFileEdgeSyncRendersFromEdgeKong() {
        Compose c = Compose.of("compose.yml");
        Map<String, String> kong = c.environment("kong");
        Map<String, String> sync = c.environment("edge-sync");
        assertThat(kong.get("KONG_DATABASE"), is("off"));
        String config = kong.get("KONG_DECLARATIVE_CONFIG");
        assertThat("edge-sync writes the file Kong reads", sync.get("KONG_RENDERED"), is(config));
        String dir = Path.of(config).getParent().toString();
        String kongVolume = volumeAt(c.service("kong"), dir);
        assertThat("Kong mounts the rendered file's directory read-only", kongVolume, is("kong-config:" + dir + ":ro"));
        assertThat("edge-sync writes into the same volume", Compose.strings(c.service("edge-sync").path("volumes")),
                   hasItem("kong-config:" + dir));
        assertThat("edge-sync renders edge-kong/kong.yml", Compose.strings(c.service("edge-sync").path("volumes")),
                   hasItem("../edge-kong/kong.yml:" + sync.get("KONG_SOURCE") + ":ro"));
        assertThat(sync.get("KONG_ADMIN_URL"), is("http://kong:8001"));
        assertThat(sync.get("JWKS_URL"), is("http://svc-auth:8015/v1/auth/.well-known/jwks.json"));
        assertThat(Compose.strings(c.service("edge-sync").path("entrypoint")), contains("/app/bin/edge-sync.sh"));
        assertThat(Compose.strings(c.service("kong").path("healthcheck").path("test")), contains("CMD", "kong", "health"));
        assertThat(c.service("kong").path("image").asText(), org.hamcrest.Matchers.startsWith("kong:3.9."));
        assertThat(c.service("kong").path("depends_on").path("edge-sync").path("condition").asText(), is("service_healthy"));
        Set<String> missing = new TreeSet<>(SourceScan.kongPlaceholders());
        missing.removeAll(sync.keySet());
        assertThat("kong.yml placeholders edge-sync does not set", missing, is(empty()));
    }

    @Test
    void everyServiceEnvironmentCoversTheVariablesItsCodeReads() {
        Compose c = Compose.of("compose.yml");
        Set<String> image = SourceScan.imageEnvironment();
        Map<String, SourceScan.ServiceModule> modules = SourceScan.services();
        assertThat("service modules found in the sources", modules.keySet(), hasItem("svc-auth"));
        Map<String, Set<String>> missing = new TreeMap<>();
        for (SourceScan.ServiceModule m : modules.values()) {
            assertThat("compose.yml runs " + m.module(), c.services().keySet(), hasItem(m.module()));
            Map<String, String> env = c.environment(m.module());
            for (String variable : m.variables()) {
                boolean covered = env.containsKey(variable) || env.containsKey(variable + "_FILE") || image.contains(variable)
                        || LEFT_UNSET.containsKey(variable);
                if (!covered) {
                    missing.computeIfAbsent(m.module(), k -> new TreeSet<>()).add(variable);
                }
            }
            if (m.database()) {
                assertThat(m.module() + " reads its database URL from the secret", env.get("DATABASE_URL_FILE"),
                           is("/run/secrets/database_url"));
                assertThat(Compose.strings(c.service(m.module()).path("secrets")), hasItem("database_url"));
            }
            if (m.redis()) {
                assertThat(m.module(), env.get("REDIS_URL"), is("redis://redis:6379"));
                assertThat(m.module() + " keeps its own Redis prefix", env.get("REDIS_KEY_PREFIX"), is("uat:" + m.key() + ":"));
            }
            assertThat(m.module(), env.get("BIND_HOST"), is("0.0.0.0"));
        }
        assertThat("variables read by the code but not set or passed through in compose.yml", missing, equalTo(Map.of()));
    }

    @Test
    void noSecretValueIsWrittenInAnyFile() {
        Pattern secretName = Pattern.compile(".*(PASSWORD|SECRET|TOKEN|_API_KEY|ENCRYPTION_KEY)$");
        Pattern credentialsInUrl = Pattern.compile("[a-z]+://[^/\\s:@]+:[^/\\s@$]+@");
        Pattern knownKeyShapes = Pattern.compile("(sk-[A-Za-z0-9_-]{16,}|sk-ant-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{20,})");
        List<String> leaks = new ArrayList<>();
        for (Path file : Repo.list(Repo.STACKS, "compose*.yml")) {
            Compose c = Compose.of(file.getFileName().toString());
            c.services().forEach((name, s) -> {
                if (!s.has("environment")) {
                    return;
                }
                c.environment(name).forEach((k, v) -> {
                    String value = v == null ? "" : v;
                    boolean fromFile = k.endsWith("_FILE") || k.endsWith("__FILE");
                    if (secretName.matcher(k).matches() && !fromFile && !value.isEmpty()
                            && !value.equals("${" + k + ":-}")) {
                        leaks.add(file.getFileName() + ": " + name + " " + k + " has a value");
                    }
                    if (fromFile && !value.startsWith("/run/secrets/")) {
                        leaks.add(file.getFileName() + ": " + name + " " + k + " is not a secret file");
                    }
                });
            });
        }
        List<Path> texts = new ArrayList<>(Repo.list(Repo.STACKS, "compose*.yml"));
        texts.add(Repo.STACKS.resolve("Dockerfile"));
        texts.add(Repo.STACKS.resolve("telemetry/prometheus.yml"));
        texts.add(Repo.STACKS.resolve("telemetry/otel-collector.yaml"));
        texts.add(Repo.STACKS.resolve("telemetry/grafana/provisioning/datasources/datasources.yaml"));
        texts.addAll(Repo.list(Repo.STACKS.resolve("telemetry/grafana/dashboards"), "*.json"));
        for (Path file : texts) {
            String text = Repo.read(file);
            Matcher url = credentialsInUrl.matcher(text);
            while (url.find()) {
                leaks.add(file.getFileName() + ": credentials in a URL: " + url.group());
            }
            Matcher key = knownKeyShapes.matcher(text);
            while (key.find()) {
                leaks.add(file.getFileName() + ": something shaped like an API key");
            }
        }
        assertThat(leaks, is(empty()));
        Set<String> secretFiles = new TreeSet<>();
        Compose.of("compose.yml", "compose.telemetry.yml").model().path("secrets").fields()
                .forEachRemaining(e -> secretFiles.add(e.getValue().path("file").asText()));
        String init = Repo.read("stacks/init-secrets.sh");
        for (String f : secretFiles) {
            assertThat("secret files live under stacks/secrets/", f, org.hamcrest.Matchers.startsWith("./secrets/"));
            assertThat("init-secrets.sh writes " + f, init, org.hamcrest.Matchers.containsString("write " + f.substring(10) + " "));
        }
        assertThat(Repo.read("stacks/.gitignore"), org.hamcrest.Matchers.containsString("secrets/"));
        assertThat(Repo.read(".dockerignore"), org.hamcrest.Matchers.containsString("stacks/secrets/"));
    }

    @Test
    void everyServiceIsOnTheOneNetwork() {
        for (List<String> files : COMBINATIONS) {
            Compose c = Compose.of(files.toArray(String[]::new));
            c.services().forEach((name, s) -> assertThat(files + " " + name, Compose.strings(s.path("networks")),
                                                          contains("universal-ai-network")));
            assertThat(c.model().path("networks").path("universal-ai-network").path("name").asText(),
                       is("universal-ai-network"));
        }
    }

    @Test
    void fullIsBaseTelemetryAndOllamaInThatOrder() {
        JsonNode doc = Repo.yaml("stacks/compose.full.yml");
        assertThat(Compose.strings(doc.path("include").get(0).path("path")),
                   contains("compose.yml", "compose.telemetry.yml", "compose.ollama.yml"));
        Set<String> services = Compose.of("compose.full.yml").services().keySet();
        assertThat(services, org.hamcrest.Matchers.hasItems("kong", "svc-chat", "grafana", "prometheus", "jaeger",
                                                            "otel-collector", "ollama"));
        assertThat(Compose.of("compose.full.yml").environment("svc-chat").get("LOCAL_LLM_ENDPOINT"),
                   is("http://ollama:11434"));
    }

    @Test
    void gpuRunsVisionOnTheCudaImageAndOllamaOnTheGpus() {
        Compose gpu = Compose.of("compose.yml", "compose.gpu.yml");
        JsonNode vision = gpu.service("svc-vision");
        assertThat(vision.path("build").path("target").asText(), is("runtime-cuda"));
        assertThat(vision.path("image").asText(), not(Compose.of("compose.yml").service("svc-vision").path("image").asText()));
        assertThat(gpu.environment("svc-vision").get("VISION_BACKEND"), is("cuda"));
        JsonNode device = vision.path("deploy").path("resources").path("reservations").path("devices").get(0);
        assertThat(device.path("driver").asText(), is("nvidia"));
        assertThat(Compose.strings(device.path("capabilities")), contains("gpu"));
        JsonNode ollamaDevice = gpu.service("ollama").path("deploy").path("resources").path("reservations").path("devices").get(0);
        assertThat(ollamaDevice.path("driver").asText(), is("nvidia"));
        assertThat("compose.gpu.yml and compose.ollama.yml run the same Ollama",
                   gpu.service("ollama").path("image").asText(),
                   is(Compose.of("compose.yml", "compose.ollama.yml").service("ollama").path("image").asText()));
        assertThat(Repo.read("stacks/Dockerfile"),
                   org.hamcrest.Matchers.containsString("FROM nvidia/cuda:12.9.1-cudnn-runtime-ubuntu24.04 AS runtime-cuda"));
        assertThat(Repo.read("stacks/Dockerfile"), org.hamcrest.Matchers.containsString("-Pgpu"));
    }

    @Test
    void redisKeepsDataAndHasAReplicaWatchedByThreeSentinels() {
        Compose redis = Compose.of("compose.yml", "compose.redis.yml");
        String primary = String.join(" ", Compose.strings(redis.service("redis").path("command")));
        assertThat(primary, org.hamcrest.Matchers.containsString("--appendonly yes"));
        assertThat(primary, org.hamcrest.Matchers.containsString("--save"));
        assertThat(primary, org.hamcrest.Matchers.containsString("--maxmemory-policy noeviction"));
        assertThat(String.join(" ", Compose.strings(redis.service("redis-replica").path("command"))),
                   org.hamcrest.Matchers.containsString("--replicaof redis 6379"));
        for (String s : List.of("redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3")) {
            assertThat(String.join(" ", Compose.strings(redis.service(s).path("command"))),
                       org.hamcrest.Matchers.containsString("--sentinel"));
        }
        assertThat(Repo.read("stacks/redis/sentinel.conf"),
                   org.hamcrest.Matchers.containsString("sentinel monitor uat-redis redis 6379 2"));
    }

    @Test
    void mlScalesWithReplicasBehindKongAndKeepsItsCache() {
        Compose ml = Compose.of("compose.yml", "compose.ml.yml");
        JsonNode svc = ml.service("svc-ml");
        assertThat(Compose.withDefaults(svc.path("deploy").path("replicas").asText()), is("3"));
        assertThat("replicas publish no fixed host port", svc.has("ports"), is(false));
        assertThat(Compose.strings(svc.path("volumes")), hasItem("ml-cache:/cache"));
        assertThat("the image unpacks DJL's library into /cache", SourceScan.imageEnvironment(), hasItem("DJL_CACHE_DIR"));
        assertThat("Kong re-resolves svc-ml often enough to see new replicas", ml.environment("kong").get("KONG_DNS_VALID_TTL"),
                   is("10"));
    }

    @Test
    void readmeDocumentsExactlyTheValidatedCombinations() {
        Matcher m = Pattern.compile("docker compose((?: -f stacks/compose[a-z.]*\\.yml)+)").matcher(Repo.read("stacks/README.md"));
        Set<List<String>> documented = new LinkedHashSet<>();
        while (m.find()) {
            documented.add(List.of(m.group(1).replace("-f stacks/", "").trim().split("\\s+")));
        }
        assertThat(documented, containsInAnyOrder(COMBINATIONS.toArray()));
        for (Path file : Repo.list(Repo.STACKS, "compose*.yml")) {
            String name = file.getFileName().toString();
            assertThat(name + " appears in a validated combination",
                       COMBINATIONS.stream().anyMatch(c -> c.contains(name)), is(true));
        }
    }

    private static String volumeAt(JsonNode service, String dir) {
        return Compose.strings(service.path("volumes")).stream()
                .filter(v -> v.split(":").length > 1 && v.split(":")[1].equals(dir)).findFirst().orElse("(none)");
    }

    private static boolean pinned(String image) {
        int slash = image.lastIndexOf('/');
        int colon = image.indexOf(':', slash + 1);
        if (image.contains("@sha256:")) {
            return true;
        }
        if (colon < 0) {
            return false;
        }
        String tag = image.substring(colon + 1);
        return !tag.equals("latest") && tag.matches(".*\\d+\\.\\d+.*");
    }

    private static List<List<String>> combinationsOfValidateScript() {
        String script = Repo.read("stacks/validate.sh");
        String block = script.substring(script.indexOf("COMBINATIONS=("), script.indexOf(")", script.indexOf("COMBINATIONS=(")));
        Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(block);
        List<List<String>> out = new ArrayList<>();
        while (m.find()) {
            out.add(List.of(m.group(1).trim().split("\\s+")));
        }
        return out;
    }
}
