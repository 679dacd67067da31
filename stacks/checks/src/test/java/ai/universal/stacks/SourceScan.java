package ai.universal.stacks;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the modules' sources say: which environment variables each service's configuration reads, and which
 * Prometheus metric names the services and the edge export. Derived from the code, so a new setting or meter shows up
 * here without anyone updating a list.
 */
final class SourceScan {
    /** {@code settings.string("NAME", …)}, {@code s.duration("NAME", …)}, {@code setting.apply("NAME")}, {@code ctx.client("NAME", …)}. */
    private static final Pattern SETTING = Pattern.compile(
            "\\b(?:string|integer|duration|bool|optional|dataDir|apply|client)\\(\\s*\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\"");
    /** {@code duration(setting, "NAME", …)}: svc-chat's helper over a lookup function. */
    private static final Pattern SETTING_HELPER = Pattern.compile(
            "\\bduration\\(\\s*\\w+\\s*,\\s*\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\"");
    private static final Pattern METER = Pattern.compile(
            "(?i)\\b(?:Functional)?(counter|gauge|timer|distributionSummary)(?:\\.builder)?\\(\\s*\"([a-z][a-z0-9_.]*)\"");
    private static final Pattern EDGE_COUNT = Pattern.compile("\\.count\\(\\s*\"([a-z][a-z0-9_]*)\"");
    private static final Pattern EDGE_HISTOGRAM = Pattern.compile("\\.observe\\(\\s*\"([a-z][a-z0-9_]*)\"");
    private static final Pattern EDGE_LITERAL = Pattern.compile("\"((?:kong|local_edge)_[a-z0-9_]+)\"");

    /** svc-kit settings that only services with a database / with Redis read. */
    static final Set<String> KIT_DATABASE = Set.of("DATABASE_URL", "DB_POOL_SIZE");
    static final Set<String> KIT_REDIS = Set.of("REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_POOL_SIZE");

    private SourceScan() {
    }

    /** A service module: its directory, svc-kit identity and the variables its configuration reads. */
    record ServiceModule(String module, String key, int port, boolean database, boolean redis, Set<String> variables) {
    }

    /** Every service module (a directory with a {@code ServiceApp} implementation), by module name. */
    static Map<String, ServiceModule> services() {
        Set<String> kit = variables(Repo.ROOT.resolve("svc-kit/src/main/java"));
        Map<String, ServiceModule> out = new LinkedHashMap<>();
        for (Path dir : Repo.list(Repo.ROOT, "svc-*")) {
            Optional<String> app = Repo.javaSources(dir.resolve("src/main/java")).stream()
                    .map(Repo::read).filter(src -> src.contains("implements ServiceApp")).findFirst();
            if (app.isEmpty()) {
                continue;
            }
            String src = app.get();
            String key = returned(src, "String key()").orElseThrow();
            int port = Integer.parseInt(returned(src, "int defaultPort()").orElseThrow());
            boolean database = returned(src, "boolean usesDatabase()").map(Boolean::parseBoolean).orElse(false);
            boolean redis = returned(src, "boolean usesRedis()").map(Boolean::parseBoolean).orElse(false);
            Set<String> vars = new TreeSet<>(variables(dir.resolve("src/main/java")));
            for (String k : kit) {
                if ((!KIT_DATABASE.contains(k) || database) && (!KIT_REDIS.contains(k) || redis)) {
                    vars.add(k);
                }
            }
            String envKey = key.toUpperCase().replace('-', '_');
            vars.add(envKey + "_PORT");
            if (database) {
                vars.add(envKey + "_DB_SCHEMA");
            }
            out.put(dir.getFileName().toString(), new ServiceModule(dir.getFileName().toString(), key, port, database, redis,
                                                                      vars));
        }
        return out;
    }

    /** Environment variables read by the sources under a directory. */
    static Set<String> variables(Path dir) {
        Set<String> names = new TreeSet<>();
        for (Path file : Repo.javaSources(dir)) {
            String src = Repo.read(file);
            collect(SETTING.matcher(src), names);
            collect(SETTING_HELPER.matcher(src), names);
        }
        return names;
    }

    /** {@code ${NAME}} / {@code ${NAME:-default}} placeholders of edge-kong/kong.yml. */
    static Set<String> kongPlaceholders() {
        Set<String> names = new TreeSet<>();
        String withoutComments = Repo.read("edge-kong/kong.yml").replaceAll("(?m)^\\s*#.*$", "");
        collect(Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(withoutComments), names);
        return names;
    }

    /**
     * Metric names as Prometheus sees them: the services' meters (dots to underscores, counters with {@code _total},
     * timers and summaries with their histogram series), the edge's Kong-compatible metrics, Helidon's base metrics
     * (captured from a running service: {@code helidon-base-metrics.txt}) and Prometheus's own {@code up}.
     */
    static Set<String> knownMetrics() {
        Set<String> names = new TreeSet<>(List.of("up"));
        for (Path dir : Repo.list(Repo.ROOT, "svc-*")) {
            for (Path file : Repo.javaSources(dir.resolve("src/main/java"))) {
                Matcher m = METER.matcher(Repo.read(file));
                while (m.find()) {
                    String base = m.group(2).replace('.', '_');
                    switch (m.group(1).toLowerCase()) {
                    case "counter" -> names.add(base.endsWith("_total") ? base : base + "_total");
                    case "gauge" -> names.add(base);
                    case "timer" -> histogram(names, base + "_seconds", true);
                    default -> histogram(names, base, true);
                    }
                }
            }
        }
        for (Path file : Repo.javaSources(Repo.ROOT.resolve("edge-kong/src/main/java"))) {
            String src = Repo.read(file);
            collect(EDGE_COUNT.matcher(src), names);
            collect(EDGE_LITERAL.matcher(src), names);
            Matcher h = EDGE_HISTOGRAM.matcher(src);
            while (h.find()) {
                histogram(names, h.group(1), false);
            }
        }
        try (var in = SourceScan.class.getResourceAsStream("/helidon-base-metrics.txt")) {
            new String(in.readAllBytes()).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(names::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return names;
    }

    /** ENV names the runtime stage of stacks/Dockerfile sets in every image. */
    static Set<String> imageEnvironment() {
        String dockerfile = Repo.read("stacks/Dockerfile");
        String runtime = dockerfile.substring(dockerfile.lastIndexOf("AS runtime\n"));
        Set<String> names = new TreeSet<>();
        Matcher env = Pattern.compile("(?m)^ENV ((?:.*\\\\\\n)*.*)$").matcher(runtime);
        while (env.find()) {
            collect(Pattern.compile("(?:^|\\s)([A-Z][A-Z0-9_]*)=").matcher(env.group(1)), names);
        }
        return names;
    }

    private static void histogram(Set<String> names, String base, boolean withMax) {
        names.add(base);
        names.add(base + "_bucket");
        names.add(base + "_count");
        names.add(base + "_sum");
        if (withMax) {
            names.add(base + "_max");
        }
    }

    private static Optional<String> returned(String src, String signature) {
        Matcher m = Pattern.compile(Pattern.quote(signature) + "\\s*\\{\\s*return\\s+\"?([^\";]+)\"?\\s*;").matcher(src);
        return m.find() ? Optional.of(m.group(1).trim()) : Optional.empty();
    }

    private static void collect(Matcher m, Set<String> into) {
        while (m.find()) {
            into.add(m.group(1));
        }
    }
}
