package ai.universal.edge.config;

/**
 * One problem found in a declarative config: where it is (a path such as {@code services[0].routes[1].paths[0]}
 * and, when known, the line in the file) and what is wrong, in Kong's wording where Kong has one.
 *
 * @param path    path of the offending value inside the document ("" for the document itself)
 * @param line    1-based line in the file, 0 when unknown
 * @param message what is wrong
 */
public record ConfigError(String path, int line, String message) {

    /**
     * The error as one line: {@code line 12: services[0].url: message}.
     *
     * @return printable line
     */
    public String describe() {
        String where = path.isEmpty() ? "(document)" : path;
        return (line > 0 ? "line " + line + ": " : "") + where + ": " + message;
    }

    @Override
    public String toString() {
        return describe();
    }
}
