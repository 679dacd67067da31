package ai.universal.stacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The repository as the checks see it: its root (found from the working directory), text files, and YAML read the
 * way Compose reads it (anchors, aliases and {@code <<} merge keys resolved) as a Jackson tree.
 */
final class Repo {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = findRoot();
    static final Path STACKS = ROOT.resolve("stacks");

    private Repo() {
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(String relative) {
        return read(ROOT.resolve(relative));
    }

    static JsonNode yaml(Path path) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(500);
        Object loaded = new Yaml(options).load(read(path));
        return JSON.valueToTree(loaded == null ? Map.of() : loaded);
    }

    static JsonNode yaml(String relative) {
        return yaml(ROOT.resolve(relative));
    }

    static JsonNode json(Path path) {
        try {
            return JSON.readTree(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    static List<Path> list(Path dir, String glob) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName()))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> javaSources(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("stacks/compose.yml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no stacks/compose.yml above " + Path.of("").toAbsolutePath());
    }
}
