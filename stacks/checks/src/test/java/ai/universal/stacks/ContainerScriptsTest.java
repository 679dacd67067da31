package ai.universal.stacks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceContext;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.observe.Health;

import io.helidon.webserver.http.HttpRules;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The scripts every image runs, run for real: the health probe against a real svc-kit server (ready, not ready,
 * gone), and the entrypoint turning {@code NAME_FILE} secrets into variables before starting a real jar with the
 * flags every service needs.
 */
class ContainerScriptsTest {
    private static final Path HEALTHCHECK = Repo.STACKS.resolve("docker/healthcheck.sh");
    private static final Path ENTRYPOINT = Repo.STACKS.resolve("docker/entrypoint.sh");
    private static final AtomicBoolean READY = new AtomicBoolean(true);
    private static RunningService service;

    @BeforeAll
    static void startService() {
        service = ServiceRunner.start(new ProbedApp(), ServiceRunner.environment(Map.of("PROBE_PORT", "0"), name -> null));
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.stop();
        }
    }

    @Test
    void healthProbeSucceedsOnlyWhileTheServiceIsReady() throws Exception {
        READY.set(true);
        assertThat("ready service", run(List.of("bash", HEALTHCHECK.toString()), Map.of("HEALTH_PORT", port())).code(), is(0));
        READY.set(false);
        assertThat("readiness check down (503)", run(List.of("bash", HEALTHCHECK.toString()), Map.of("HEALTH_PORT", port())).code(),
                   is(1));
        READY.set(true);
    }

    @Test
    void healthProbeFailsWhenNothingListens() throws Exception {
        int free;
        try (var socket = new java.net.ServerSocket(0)) {
            free = socket.getLocalPort();
        }
        Result r = run(List.of("bash", HEALTHCHECK.toString()), Map.of("HEALTH_PORT", String.valueOf(free)));
        assertThat(r.code(), is(1));
    }

    @Test
    void entrypointReadsSecretFilesAndStartsTheJarWithTheServiceFlags(@TempDir Path dir) throws Exception {
        Path jar = printingJar(dir);
        Path secret = dir.resolve("encryption_key");
        Files.writeString(secret, "s3cr3t-value\n");
        Result r = run(List.of("bash", ENTRYPOINT.toString(), "rotate-keys"),
                       Map.of("APP_JAR", jar.toString(), "ENCRYPTION_KEY_FILE", secret.toString(), "ADMIN_EMAIL", "a@example.org"));
        assertThat(r.output(), r.code(), is(0));
        assertThat(r.output().lines().filter(l -> !l.startsWith("WARNING")).toList(),
                   contains("ENCRYPTION_KEY=s3cr3t-value", "ENCRYPTION_KEY_FILE=null", "ADMIN_EMAIL=a@example.org",
                            "args=[rotate-keys]", "jdk.incubator.vector=true", "native-access=ALL-UNNAMED"));
    }

    @Test
    void entrypointRefusesAnUnreadableSecretFileWithoutStartingTheService(@TempDir Path dir) throws Exception {
        Path jar = printingJar(dir);
        Result r = run(List.of("bash", ENTRYPOINT.toString()),
                       Map.of("APP_JAR", jar.toString(), "DATABASE_URL_FILE", dir.resolve("missing").toString()));
        assertThat(r.code(), is(64));
        assertThat(r.output(), containsString("entrypoint: DATABASE_URL_FILE names " + dir.resolve("missing")
                                                      + ", which is not a readable file"));
        assertThat(r.output(), not(containsString("args=")));
    }

    private static String port() {
        return String.valueOf(service.port());
    }

    /** A real jar whose main prints what the entrypoint handed it. */
    private static Path printingJar(Path dir) throws IOException {
        Path src = dir.resolve("src/Printer.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                public class Printer {
                    public static void main(String[] args) {
                        System.out.println("ENCRYPTION_KEY=" + System.getenv("ENCRYPTION_KEY"));
                        System.out.println("ENCRYPTION_KEY_FILE=" + System.getenv("ENCRYPTION_KEY_FILE"));
                        System.out.println("ADMIN_EMAIL=" + System.getenv("ADMIN_EMAIL"));
                        System.out.println("args=" + java.util.Arrays.toString(args));
                        System.out.println("jdk.incubator.vector="
                                + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
                        System.out.println("native-access=" + java.lang.management.ManagementFactory.getRuntimeMXBean()
                                .getInputArguments().stream().filter(a -> a.startsWith("--enable-native-access"))
                                .map(a -> a.substring(a.indexOf('=') + 1)).findFirst().orElse("none"));
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), src.toString());
        assertThat("compiling the printer", rc, is(0));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Printer");
        Path jar = dir.resolve("printer.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out, manifest)) {
            jos.putNextEntry(new JarEntry("Printer.class"));
            jos.write(Files.readAllBytes(classes.resolve("Printer.class")));
            jos.closeEntry();
        }
        return jar;
    }

    private record Result(int code, String output) {
    }

    /** Runs a command with only PATH (this JVM's java first) and the given variables, as a container would. */
    private static Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/local/bin:/usr/bin:/bin");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat("finished in time", p.waitFor(60, TimeUnit.SECONDS), is(true));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The smallest svc-kit service: no routes of its own, one readiness check the test switches. */
    private static final class ProbedApp implements ServiceApp {
        @Override
        public String name() {
            return "svc-probe";
        }

        @Override
        public String key() {
            return "probe";
        }

        @Override
        public int defaultPort() {
            return 0;
        }

        @Override
        public void setUp(ServiceContext ctx, HttpRules rules) {
            ctx.health().add("switch", () -> READY.get() ? Health.Result.ok() : Health.Result.down("switched off"));
        }
    }
}
