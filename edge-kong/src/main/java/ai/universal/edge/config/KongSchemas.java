package ai.universal.edge.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static ai.universal.edge.config.Field.defaultOnly;
import static ai.universal.edge.config.Field.noEffect;
import static ai.universal.edge.config.Field.of;
import static ai.universal.edge.config.Field.required;
import static ai.universal.edge.config.FieldType.oneOf;
import static ai.universal.edge.config.FieldType.str;

/**
 * Kong 3.9's declarative schema for the entities and plugins this platform uses (field names, defaults, one_of sets
 * and ranges as Kong defines them), and what the local edge implements of each field.
 * Plugins outside this list are rejected as Kong rejects a plugin that is not enabled.
 */
public final class KongSchemas {
    /** Every plugin the platform's kong.yml may use. */
    public static final Set<String> PLUGINS = Set.of("jwt", "rate-limiting", "cors", "request-size-limiting",
                                                     "correlation-id", "prometheus", "opentelemetry", "ip-restriction",
                                                     "request-termination");
    /** Protocols of services. */
    public static final Set<String> SERVICE_PROTOCOLS = Set.of("grpc", "grpcs", "http", "https", "tcp", "tls",
                                                               "tls_passthrough", "udp", "ws", "wss");
    /** HTTP methods the cors plugin accepts. */
    public static final List<String> CORS_METHODS = List.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS",
                                                            "TRACE", "CONNECT");
    private static final Pattern METHOD = Pattern.compile("^[A-Z]+$");
    private static final Pattern HOST = Pattern.compile("^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(\\.\\*)?(:[0-9]{1,5})?$");
    private static final FieldType STRINGS = new FieldType.Array(str(), true);
    private static final FieldType TAGS = new FieldType.Array(str(), true);
    private static final FieldType TIMEOUT = new FieldType.Int(1, Integer.MAX_VALUE - 1);
    private static final FieldType PORT = new FieldType.Int(0, 65535);
    private static final FieldType BOOL = new FieldType.Bool();

    /** Route fields (paths, hosts, methods, ...). */
    public static final List<Field> ROUTE = List.of(
            of("id", str(), null),
            of("name", str(), null),
            of("protocols", new FieldType.Array(oneOf("grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough",
                                                      "udp", "ws", "wss"), true), List.of("http", "https")),
            of("methods", new FieldType.Array(str(KongSchemas::checkMethod), true), null),
            of("hosts", new FieldType.Array(str(KongSchemas::checkHost), false), null),
            of("paths", new FieldType.Array(str(KongSchemas::checkPath), false), null),
            defaultOnly("headers", new FieldType.MapOf(new FieldType.Array(str(), false)), null),
            defaultOnly("https_redirect_status_code", new FieldType.Int(301, 426), 426L),
            of("regex_priority", new FieldType.Int(Integer.MIN_VALUE, Integer.MAX_VALUE), 0L),
            of("strip_path", BOOL, true),
            defaultOnly("path_handling", oneOf("v0", "v1"), "v0"),
            of("preserve_host", BOOL, false),
            noEffect("request_buffering", BOOL, true),
            noEffect("response_buffering", BOOL, true),
            defaultOnly("snis", new FieldType.Array(str(), true), null),
            defaultOnly("sources", new FieldType.Array(new FieldType.MapOf(str()), false), null),
            defaultOnly("destinations", new FieldType.Array(new FieldType.MapOf(str()), false), null),
            of("tags", TAGS, null),
            of("service", str(), null));

    /** Service fields. */
    public static final List<Field> SERVICE = List.of(
            of("id", str(), null),
            of("name", str(), null),
            of("url", str(), null),
            of("protocol", oneOf(SERVICE_PROTOCOLS.toArray(String[]::new)), "http"),
            of("host", str(KongSchemas::checkHost), null),
            of("port", PORT, 80L),
            of("path", str(p -> p.startsWith("/") ? null : "should start with: /"), null),
            of("retries", new FieldType.Int(0, 32767), 5L),
            of("connect_timeout", TIMEOUT, 60000L),
            of("write_timeout", TIMEOUT, 60000L),
            of("read_timeout", TIMEOUT, 60000L),
            of("enabled", BOOL, true),
            of("tags", TAGS, null),
            defaultOnly("client_certificate", str(), null),
            noEffect("tls_verify", BOOL, null),
            noEffect("tls_verify_depth", new FieldType.Int(0, 64), null),
            defaultOnly("ca_certificates", STRINGS, null));

    /** Consumer fields. */
    public static final List<Field> CONSUMER = List.of(
            of("id", str(), null),
            of("username", str(), null),
            of("custom_id", str(), null),
            of("tags", TAGS, null));

    /** jwt_secrets fields (the jwt plugin's credential). */
    public static final List<Field> JWT_SECRET = List.of(
            of("id", str(), null),
            of("key", str(), null),
            of("secret", str(), null),
            of("rsa_public_key", str(), null),
            of("algorithm", oneOf("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                                  "PS256", "PS384", "PS512", "EdDSA"), "HS256"),
            of("consumer", str(), null),
            of("tags", TAGS, null));

    /** Fields every plugin entity has besides config. */
    public static final List<Field> PLUGIN = List.of(
            of("id", str(), null),
            required("name", str()),
            of("instance_name", str(), null),
            of("enabled", BOOL, true),
            of("protocols", new FieldType.Array(oneOf("grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough",
                                                      "udp", "ws", "wss"), true),
               List.of("grpc", "grpcs", "http", "https")),
            of("service", str(), null),
            of("route", str(), null),
            of("consumer", str(), null),
            defaultOnly("ordering", new FieldType.MapOf(new FieldType.MapOf(STRINGS)), null),
            of("tags", TAGS, null),
            of("config", new FieldType.MapOf(str()), null));

    private static final List<Field> REDIS = List.of(
            of("host", str(), null),
            of("port", PORT, 6379L),
            of("timeout", TIMEOUT, 2000L),
            of("username", str(), null),
            of("password", str(), null),
            of("database", new FieldType.Int(0, Integer.MAX_VALUE), 0L),
            defaultOnly("ssl", BOOL, false),
            defaultOnly("ssl_verify", BOOL, false),
            defaultOnly("server_name", str(), null));

    private static final List<Field> QUEUE = List.of(
            of("max_batch_size", new FieldType.Int(1, 1_000_000), 200L),
            of("max_coalescing_delay", new FieldType.Num(null, 0.0, 3600.0), 1.0),
            of("max_entries", new FieldType.Int(1, 1_000_000), 10000L),
            noEffect("max_bytes", new FieldType.Int(0, Integer.MAX_VALUE), null),
            noEffect("max_retry_time", new FieldType.Num(null, 0.0, null), 60.0),
            noEffect("initial_retry_delay", new FieldType.Num(null, 0.001, 1000000.0), 0.01),
            noEffect("max_retry_delay", new FieldType.Num(null, 0.001, 1000000.0), 60.0),
            defaultOnly("concurrency_limit", new FieldType.Int(-1, 1), 1L));

    private static final Set<String> PROPAGATION = Set.of("w3c", "b3", "b3-single", "jaeger", "ot", "aws", "gcp",
                                                          "datadog", "instana", "preserve", "ignore");

    /** Plugin config schemas by plugin name. */
    public static final Map<String, List<Field>> PLUGIN_CONFIG = Map.of(
            "jwt", List.of(
                    of("uri_param_names", STRINGS, List.of("jwt")),
                    of("cookie_names", STRINGS, List.of()),
                    of("header_names", STRINGS, List.of("authorization")),
                    of("key_claim_name", str(), "iss"),
                    defaultOnly("secret_is_base64", BOOL, false),
                    of("claims_to_verify", new FieldType.Array(oneOf("exp", "nbf"), true), null),
                    of("anonymous", str(), null),
                    of("run_on_preflight", BOOL, true),
                    of("maximum_expiration", new FieldType.Num(null, 0.0, 31536000.0), 0.0),
                    of("realm", str(), null)),
            "rate-limiting", List.of(
                    of("second", new FieldType.Num(0.0, null, null), null),
                    of("minute", new FieldType.Num(0.0, null, null), null),
                    of("hour", new FieldType.Num(0.0, null, null), null),
                    of("day", new FieldType.Num(0.0, null, null), null),
                    of("month", new FieldType.Num(0.0, null, null), null),
                    of("year", new FieldType.Num(0.0, null, null), null),
                    of("limit_by", oneOf("consumer", "credential", "ip", "service", "header", "path", "consumer-group"),
                       "consumer"),
                    of("header_name", str(), null),
                    of("path", str(KongSchemas::checkPath), null),
                    of("policy", oneOf("local", "cluster", "redis"), "local"),
                    of("fault_tolerant", BOOL, true),
                    of("redis", new FieldType.Rec(REDIS), null),
                    of("hide_client_headers", BOOL, false),
                    of("error_code", new FieldType.Num(0.0, null, null), 429.0),
                    of("error_message", str(), "API rate limit exceeded"),
                    of("sync_rate", new FieldType.Num(null, -1.0, null), -1.0)),
            "cors", List.of(
                    of("origins", new FieldType.Array(str(), false), null),
                    of("headers", new FieldType.Array(str(), false), null),
                    of("exposed_headers", new FieldType.Array(str(), false), null),
                    of("methods", new FieldType.Array(oneOf(CORS_METHODS.toArray(String[]::new)), false), CORS_METHODS),
                    of("max_age", new FieldType.Num(null, null, null), null),
                    of("credentials", BOOL, false),
                    of("private_network", BOOL, false),
                    of("preflight_continue", BOOL, false),
                    of("allow_origin_absent", BOOL, true)),
            "request-size-limiting", List.of(
                    of("allowed_payload_size", new FieldType.Int(1, Integer.MAX_VALUE), 128L),
                    of("size_unit", oneOf("megabytes", "kilobytes", "bytes"), "megabytes"),
                    of("require_content_length", BOOL, false)),
            "correlation-id", List.of(
                    of("header_name", str(), "Kong-Request-ID"),
                    of("generator", oneOf("uuid", "uuid#counter", "tracker"), "uuid#counter"),
                    of("echo_downstream", BOOL, false)),
            "prometheus", List.of(
                    of("per_consumer", BOOL, false),
                    of("status_code_metrics", BOOL, false),
                    of("latency_metrics", BOOL, false),
                    of("bandwidth_metrics", BOOL, false),
                    defaultOnly("upstream_health_metrics", BOOL, false),
                    defaultOnly("ai_metrics", BOOL, false)),
            "opentelemetry", List.of(
                    of("traces_endpoint", str(KongSchemas::checkUrl), null),
                    defaultOnly("logs_endpoint", str(KongSchemas::checkUrl), null),
                    of("headers", new FieldType.MapOf(str()), null),
                    of("resource_attributes", new FieldType.MapOf(str()), null),
                    of("queue", new FieldType.Rec(QUEUE), null),
                    defaultOnly("batch_span_count", new FieldType.Int(0, Integer.MAX_VALUE), null),
                    defaultOnly("batch_flush_delay", new FieldType.Int(0, Integer.MAX_VALUE), null),
                    of("connect_timeout", TIMEOUT, 1000L),
                    of("send_timeout", TIMEOUT, 5000L),
                    of("read_timeout", TIMEOUT, 5000L),
                    of("http_response_header_for_traceid", str(), null),
                    of("header_type", oneOf("preserve", "ignore", "b3", "b3-single", "w3c", "jaeger", "ot", "aws",
                                            "gcp", "datadog"), "preserve"),
                    of("sampling_rate", new FieldType.Num(null, 0.0, 1.0), null),
                    of("propagation", new FieldType.Rec(List.of(
                            of("extract", new FieldType.Array(oneOf(PROPAGATION.toArray(String[]::new)), false), null),
                            of("inject", new FieldType.Array(oneOf(PROPAGATION.toArray(String[]::new)), false), null),
                            of("clear", new FieldType.Array(str(), false), null),
                            of("default_format", oneOf(PROPAGATION.toArray(String[]::new)), "w3c"))), null)),
            "ip-restriction", List.of(
                    of("allow", new FieldType.Array(str(KongSchemas::checkCidr), false), null),
                    of("deny", new FieldType.Array(str(KongSchemas::checkCidr), false), null),
                    of("status", new FieldType.Int(100, 599), null),
                    of("message", str(), null)),
            "request-termination", List.of(
                    of("status_code", new FieldType.Int(100, 599), 503L),
                    of("message", str(), null),
                    of("content_type", str(), null),
                    of("body", str(), null),
                    defaultOnly("echo", BOOL, false),
                    defaultOnly("trigger", str(), null)));

    private KongSchemas() {
    }

    /**
     * Kong's rules for a route path: a prefix starting with {@code /} or a regex starting with {@code ~/}, no empty
     * segments, a regex that compiles.
     *
     * @param path path
     * @return error or null
     */
    public static String checkPath(String path) {
        if (!(path.startsWith("/") || path.startsWith("~/"))) {
            return "should start with: / (fixed path) or ~/ (regex path)";
        }
        if (path.contains("//")) {
            return "must not have empty segments";
        }
        if (path.startsWith("~")) {
            try {
                Pattern.compile(path.substring(1));
            } catch (PatternSyntaxException e) {
                return "invalid regex: '" + path.substring(1) + "' (" + e.getDescription() + ")";
            }
        }
        return null;
    }

    private static String checkMethod(String method) {
        return METHOD.matcher(method).matches() ? null : "invalid value: " + method;
    }

    private static String checkHost(String host) {
        if (!HOST.matcher(host).matches() || (host.startsWith("*.") && host.endsWith(".*"))) {
            return "invalid hostname: " + host;
        }
        return null;
    }

    private static String checkUrl(String url) {
        try {
            java.net.URI uri = java.net.URI.create(url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "missing host in url";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "invalid url: " + url;
        }
    }

    private static String checkCidr(String value) {
        return Cidr.parse(value) == null ? "invalid ip or cidr range: '" + value + "'" : null;
    }
}
