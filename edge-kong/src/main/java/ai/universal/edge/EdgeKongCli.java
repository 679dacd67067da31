package ai.universal.edge;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

import ai.universal.edge.admin.ConfigDiff;
import ai.universal.edge.admin.KongAdminClient;
import ai.universal.edge.config.ConfigError;
import ai.universal.edge.config.ConfigException;
import ai.universal.edge.config.DeclarativeValidator;
import ai.universal.edge.config.JwksSecrets;
import ai.universal.edge.config.KongConfig;
import ai.universal.edge.config.KongRenderer;
import ai.universal.edge.config.YamlDocument;
import ai.universal.edge.local.LocalEdge;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The edge-kong tool.
 * <pre>
 * edge-kong validate [FILE] [--edge]            check against Kong 3.9's schema; exit 1 on any error
 * edge-kong render [FILE] [--jwks URL|FILE] [-o OUT]   substitute env, fill jwt_secrets from svc-auth's JWKS
 * edge-kong diff [FILE] --admin-url URL [--jwks ...]   what a push would change (exit 1 when something would)
 * edge-kong push [FILE] --admin-url URL [--jwks ...]   POST /config?check_hash=1 (304 = already loaded)
 * edge-kong status --admin-url URL              GET /status and /status/ready
 * edge-kong serve [FILE] [--port 8080] [--admin-port 8001]   run the local edge
 * </pre>
 * Exit codes: 0 ok, 1 invalid config / differences / Kong refused, 2 could not reach or read something.
 */
@Command(name = "edge-kong", mixinStandardHelpOptions = true, version = "edge-kong 0.1.0 (Kong 3.9 declarative format 3.0)",
         subcommands = {EdgeKongCli.Validate.class, EdgeKongCli.Render.class, EdgeKongCli.Diff.class,
                 EdgeKongCli.Push.class, EdgeKongCli.StatusCommand.class, EdgeKongCli.Serve.class})
public final class EdgeKongCli implements Runnable {
    static final String DEFAULT_FILE = "edge-kong/kong.yml";

    @Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Command line with the environment of this process.
     *
     * @return picocli command line
     */
    public static CommandLine commandLine() {
        return commandLine(System::getenv);
    }

    /**
     * Command line with a given environment (tests).
     *
     * @param env environment lookup
     * @return picocli command line
     */
    public static CommandLine commandLine(Function<String, String> env) {
        CommandLine cl = new CommandLine(new EdgeKongCli());
        cl.getSubcommands().values().forEach(sub -> {
            if (sub.getCommand() instanceof Base base) {
                base.env = env;
            }
        });
        return cl;
    }

    static boolean keepsRunning(String[] args) {
        return args.length > 0 && args[0].equals("serve");
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class Base implements Callable<Integer> {
        Function<String, String> env = System::getenv;
        @Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        static String read(Path file) throws IOException {
            return Files.readString(file, StandardCharsets.UTF_8);
        }

        void printErrors(Path file, List<ConfigError> errors) {
            for (ConfigError e : errors) {
                err().println(file + ":" + (e.line() > 0 ? e.line() + ": " : " ") + (e.path().isEmpty() ? "" : e.path() + ": ")
                                      + e.message());
            }
            err().flush();
        }

        String rendered(Path file, String jwks, String consumer) throws IOException, ConfigException {
            String jwksJson = jwks == null ? null : JwksSecrets.read(jwks);
            return KongRenderer.render(read(file), env, jwksJson, consumer);
        }
    }

    abstract static class AdminBase extends Base {
        @Option(names = "--admin-url", required = true, description = "Kong admin API, e.g. http://127.0.0.1:8001")
        URI adminUrl;
        @Option(names = "--timeout", defaultValue = "10", description = "seconds per admin request (default 10)")
        long timeoutSeconds;

        KongAdminClient client() {
            return new KongAdminClient(adminUrl, Duration.ofSeconds(timeoutSeconds));
        }
    }

    @Command(name = "validate", description = "Check a declarative config against Kong 3.9's schema.")
    static final class Validate extends Base {
        @Parameters(index = "0", defaultValue = DEFAULT_FILE, description = "kong.yml (default ${DEFAULT-VALUE})")
        Path file;
        @Option(names = "--edge", description = "also fail on settings the local edge does not implement")
        boolean edge;

        @Override
        public Integer call() {
            try {
                KongConfig config = DeclarativeValidator.load(read(file), env);
                if (edge && !config.edgeGaps().isEmpty()) {
                    printErrors(file, config.edgeGaps());
                    return 1;
                }
                out().println(file + ": valid (" + config.services().size() + " services, " + config.routes().size()
                                      + " routes, " + config.plugins().size() + " plugins, " + config.consumers().size()
                                      + " consumers, " + config.jwtSecrets().size() + " jwt_secrets)");
                for (ConfigError gap : config.edgeGaps()) {
                    out().println("note: local edge: " + gap.describe());
                }
                out().flush();
                return 0;
            } catch (ConfigException e) {
                printErrors(file, e.errors());
                return 1;
            } catch (IOException e) {
                err().println("cannot read " + file + ": " + e.getMessage());
                err().flush();
                return 2;
            }
        }
    }

    @Command(name = "render", description = "Substitute environment variables and fill jwt_secrets from svc-auth's JWKS.")
    static final class Render extends Base {
        @Parameters(index = "0", defaultValue = DEFAULT_FILE, description = "kong.yml (default ${DEFAULT-VALUE})")
        Path file;
        @Option(names = "--jwks", description = "svc-auth's JWKS: URL (e.g. http://127.0.0.1:8015/v1/auth/.well-known/"
                + "jwks.json) or file")
        String jwks;
        @Option(names = "--consumer", defaultValue = KongRenderer.DEFAULT_ISSUER_CONSUMER,
                description = "consumer that owns the keys (default ${DEFAULT-VALUE})")
        String consumer;
        @Option(names = {"-o", "--output"}, description = "write here instead of stdout")
        Path output;

        @Override
        public Integer call() {
            try {
                String yaml = rendered(file, jwks, consumer);
                if (output == null) {
                    out().print(yaml);
                    out().flush();
                } else {
                    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
                    Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
                    Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                               java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    err().println("rendered " + file + " -> " + output);
                    err().flush();
                }
                return 0;
            } catch (ConfigException e) {
                printErrors(file, e.errors());
                return 1;
            } catch (IOException e) {
                err().println("render failed: " + e.getMessage());
                err().flush();
                return 2;
            }
        }
    }

    @Command(name = "diff", description = "Show what pushing the config would change on a running Kong.")
    static final class Diff extends AdminBase {
        @Parameters(index = "0", defaultValue = DEFAULT_FILE, description = "kong.yml (default ${DEFAULT-VALUE})")
        Path file;
        @Option(names = "--jwks", description = "svc-auth's JWKS (URL or file), as for render")
        String jwks;
        @Option(names = "--consumer", defaultValue = KongRenderer.DEFAULT_ISSUER_CONSUMER)
        String consumer;

        @Override
        public Integer call() {
            try {
                String wantedYaml = rendered(file, jwks, consumer);
                KongConfig wanted = DeclarativeValidator.validate(YamlDocument.parse(wantedYaml), wantedYaml);
                String currentYaml = client().currentConfig();
                KongConfig current = DeclarativeValidator.readExport(YamlDocument.parse(currentYaml), currentYaml);
                List<String> lines = ConfigDiff.diff(current, wanted);
                if (lines.isEmpty()) {
                    out().println("no differences: Kong at " + adminUrl + " serves this config");
                    out().flush();
                    return 0;
                }
                lines.forEach(out()::println);
                out().println(lines.size() + " difference(s)");
                out().flush();
                return 1;
            } catch (ConfigException e) {
                printErrors(file, e.errors());
                return 1;
            } catch (IOException e) {
                err().println("diff failed: " + e.getMessage());
                err().flush();
                return 2;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 2;
            }
        }
    }

    @Command(name = "push", description = "Load the config into a running Kong (DB-less POST /config).")
    static final class Push extends AdminBase {
        @Parameters(index = "0", defaultValue = DEFAULT_FILE, description = "kong.yml (default ${DEFAULT-VALUE})")
        Path file;
        @Option(names = "--jwks", description = "svc-auth's JWKS (URL or file), as for render")
        String jwks;
        @Option(names = "--consumer", defaultValue = KongRenderer.DEFAULT_ISSUER_CONSUMER)
        String consumer;
        @Option(names = "--attempts", defaultValue = "5", description = "attempts while Kong answers 429 (default 5)")
        int attempts;
        @Option(names = "--max-wait", defaultValue = "30", description = "cap on one Retry-After wait, seconds")
        long maxWait;

        @Override
        public Integer call() {
            try {
                String yaml = rendered(file, jwks, consumer);
                KongAdminClient.PushResult result = client().push(yaml, attempts, maxWait);
                if (result.applied()) {
                    out().println("loaded: Kong at " + adminUrl + " now serves " + file + " (" + result.status() + ")");
                } else if (result.unchanged()) {
                    out().println("unchanged: Kong at " + adminUrl + " already serves this config (304)");
                } else {
                    err().println("Kong refused the config (" + result.status() + "):");
                    result.errors().forEach(line -> err().println("  " + line));
                    err().flush();
                    return result.status() == 400 ? 1 : 2;
                }
                out().flush();
                return 0;
            } catch (ConfigException e) {
                printErrors(file, e.errors());
                return 1;
            } catch (IOException e) {
                err().println("push failed: " + e.getMessage());
                err().flush();
                return 2;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 2;
            }
        }
    }

    @Command(name = "status", description = "Show Kong's /status and /status/ready.")
    static final class StatusCommand extends AdminBase {
        @Override
        public Integer call() {
            try {
                KongAdminClient.Status status = client().status();
                out().println("status: " + status.statusCode() + " " + (status.status() == null ? "" : status.status()));
                out().println("ready: " + status.readyCode() + " " + status.readyMessage());
                if (status.configurationHash() != null) {
                    out().println("configuration_hash: " + status.configurationHash());
                }
                out().flush();
                return status.readyCode() == 200 ? 0 : 1;
            } catch (IOException e) {
                err().println("status failed: " + e.getMessage());
                err().flush();
                return 2;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 2;
            }
        }
    }

    @Command(name = "serve", description = "Run the local edge: a Kong-compatible proxy serving the file.")
    static final class Serve extends Base {
        @Parameters(index = "0", defaultValue = DEFAULT_FILE, description = "kong.yml (default ${DEFAULT-VALUE})")
        Path file;
        @Option(names = "--port", defaultValue = "8080", description = "proxy port (default ${DEFAULT-VALUE})")
        int port;
        @Option(names = "--admin-port", defaultValue = "8001", description = "admin port on 127.0.0.1 (default "
                + "${DEFAULT-VALUE})")
        int adminPort;
        @Option(names = "--host", defaultValue = "0.0.0.0", description = "proxy bind address (default ${DEFAULT-VALUE})")
        String host;
        @Option(names = "--jwks", description = "svc-auth's JWKS (URL or file) to fill jwt_secrets at each load")
        String jwks;
        @Option(names = "--no-watch", description = "do not reload when the file changes")
        boolean noWatch;
        @Option(names = "--jwks-refresh", defaultValue = "30", description = "seconds between JWKS fetches (0: never; "
                + "default ${DEFAULT-VALUE})")
        long jwksRefresh;

        @Override
        public Integer call() {
            try {
                LocalEdge edge = LocalEdge.start(new LocalEdge.Options(file, port, adminPort, host, jwks, env, !noWatch,
                                                                       Duration.ofSeconds(jwksRefresh)));
                Runtime.getRuntime().addShutdownHook(new Thread(edge::stop));
                out().println("local edge on :" + edge.port() + " (admin 127.0.0.1:" + edge.adminPort() + ") serving "
                                      + file);
                out().flush();
                // One full collection right after start: what start-up left live (config, routes, Helidon's and the
                // plugins' tables) is tenured now, instead of being copied between the survivor spaces at each of
                // the first 15 young collections under load (8-40 ms pauses each on the serial collector, against
                // 1-2 ms after; BENCHMARKS.md, edge, stop 20).
                System.gc();
                return 0;
            } catch (ConfigException e) {
                printErrors(file, e.errors());
                return 1;
            } catch (IOException e) {
                err().println("cannot start: " + e.getMessage());
                err().flush();
                return 2;
            }
        }
    }
}
