package ai.universal.stacks;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * stacks/Dockerfile and the scripts it puts in every image: a Maven + JDK 21 build stage, JRE 21 and CUDA runtime
 * stages as a non-root user with a health check, the JVM flags every service needs, writable caches.
 */
class ImageRecipeTest {
    private static final String DOCKERFILE = Repo.read("stacks/Dockerfile");

    @Test
    void buildStageUsesMavenWithJdk21AndBuildsOnlyTheServiceAndWhatItNeeds() {
        assertThat(DOCKERFILE, containsString("FROM maven:3.9.9-eclipse-temurin-21 AS build"));
        assertThat(DOCKERFILE, containsString("mvn -B -ntp -q -DskipTests -pl \"${SERVICE}\" -am install"));
    }

    @Test
    void runtimeStagesRunAsNonRootWithAHealthCheckAndTheEntrypoint() {
        List<String> stages = stages();
        for (String name : List.of("runtime", "runtime-cuda")) {
            String stage = stages.stream().filter(s -> s.contains(" AS " + name + "\n")).findFirst().orElseThrow();
            assertThat(name, stage, containsString("USER 10001:10001"));
            assertThat(name, stage, containsString("HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 "
                                                   + "CMD [\"/app/bin/healthcheck.sh\"]"));
            assertThat(name, stage, containsString("ENTRYPOINT [\"/app/bin/entrypoint.sh\"]"));
            assertThat(name, stage, containsString("HEALTH_PORT=${PORT}"));
            assertThat(name, stage, containsString("BIND_HOST=0.0.0.0"));
            assertThat(name + ": JVM sized by the container, dies on OOM", stage,
                       containsString("-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"));
            assertThat(name + ": JavaCPP unpacks into the writable /cache", stage,
                       containsString("-Dorg.bytedeco.javacpp.cachedir=/cache/javacpp"));
            assertThat(name, stage, containsString("chown uat:uat /data /cache"));
        }
        assertThat("the last stage is the default build target", stages.getLast(), containsString(" AS runtime\n"));
        assertThat(DOCKERFILE, containsString("FROM debian:12.8-slim AS runtime\n"));
        assertThat(DOCKERFILE, containsString("COPY --from=jre /opt/java/openjdk /opt/java/openjdk"));
    }

    @Test
    void theLinkedJavaRuntimeHasTheModulesTheServicesAndTheDebuggerNeed() {
        String jre = stages().stream().filter(s -> s.contains(" AS jre\n")).findFirst().orElseThrow();
        assertThat(jre, containsString("jlink --add-modules \"$mods\""));
        for (String module : List.of("java.se", "jdk.incubator.vector", "jdk.unsupported", "jdk.crypto.ec", "jdk.zipfs",
                                     "jdk.management", "jdk.jfr", "jdk.jdwp.agent", "jdk.jcmd")) {
            assertThat(module + " is linked", Pattern.compile("[\",]" + Pattern.quote(module) + "[\",]").matcher(jre).find(),
                       is(true));
        }
    }

    @Test
    void visionImagesCarryTheLibrariesOpenCvHighguiLinks() {
        String runtime = stages().getLast();
        assertThat(runtime, containsString("if [ \"${SERVICE}\" = \"svc-vision\" ]"));
        assertThat(runtime, containsString("apt-get install -y --no-install-recommends libgtk2.0-0 libjpeg62-turbo"));
        String cuda = stages().stream().filter(s -> s.contains(" AS runtime-cuda\n")).findFirst().orElseThrow();
        assertThat(cuda, containsString("apt-get install -y --no-install-recommends libgtk2.0-0t64 libjpeg62"));
    }

    @Test
    void entrypointStartsEveryServiceWithVectorModuleAndNativeAccess() {
        String entrypoint = Repo.read("stacks/docker/entrypoint.sh");
        assertThat(entrypoint, containsString(
                "exec java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar \"${APP_JAR:-/app/app.jar}\" \"$@\""));
        assertThat(Repo.read("stacks/docker/healthcheck.sh"), containsString("GET /health HTTP/1.1"));
    }

    @Test
    void theImageEnvironmentPointsNativeCachesAtTheWritableVolume() {
        assertThat(SourceScan.imageEnvironment(), hasItem("DJL_CACHE_DIR"));
        assertThat(DOCKERFILE, containsString("DJL_CACHE_DIR=/cache/djl"));
        assertThat(DOCKERFILE, containsString("VOLUME [\"/data\", \"/cache\"]"));
    }

    @Test
    void dockerignoreKeepsBuildOutputsSecretsAndToolsOutOfTheContext() {
        List<String> lines = Repo.read(".dockerignore").lines().map(String::strip).toList();
        for (String entry : List.of("**/target/", ".git/", "data/", "stacks/secrets/", "stacks/.tools/")) {
            assertThat(lines, hasItem(entry));
        }
    }

    @Test
    void composeBuildsEveryServiceFromTheOneRecipe() {
        Compose c = Compose.of("compose.yml");
        List<String> wrong = new ArrayList<>();
        c.services().forEach((name, s) -> {
            if (s.has("build")) {
                boolean ok = s.path("build").path("context").asText().equals("..")
                        && s.path("build").path("dockerfile").asText().equals("stacks/Dockerfile")
                        && s.path("build").path("args").path("SERVICE").asText().equals(
                                name.equals("edge-sync") ? "edge-kong" : name);
                if (!ok) {
                    wrong.add(name + ": " + s.path("build"));
                }
            }
        });
        assertThat(wrong, equalTo(List.of()));
        assertThat(c.service("svc-auth").path("image").asText(), is("universal-ai-tools/svc-auth:0.1.0"));
    }

    private static List<String> stages() {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^FROM ").matcher(DOCKERFILE);
        List<Integer> starts = new ArrayList<>();
        while (m.find()) {
            starts.add(m.start());
        }
        for (int i = 0; i < starts.size(); i++) {
            out.add(DOCKERFILE.substring(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : DOCKERFILE.length()));
        }
        return out;
    }
}
