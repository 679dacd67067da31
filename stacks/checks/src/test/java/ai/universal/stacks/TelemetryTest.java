package ai.universal.stacks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
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
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The observability files: Prometheus scrapes exactly the stack's services on their ports, the collector's pipeline
 * is wired to what the services send and to Jaeger, and the Grafana dashboards are valid JSON whose queries name
 * metrics the services and the edge really export.
 */
class TelemetryTest {
    private static final Set<String> PROMQL_WORDS = Set.of(
            "sum", "avg", "min", "max", "count", "rate", "irate", "increase", "delta", "histogram_quantile", "by", "without",
            "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool", "topk", "bottomk", "abs",
            "clamp_min", "clamp_max", "label_values", "sort", "sort_desc", "time", "vector", "scalar", "absent", "inf", "nan");

    @Test
    void prometheusScrapesEveryServiceAndKongOnTheirPorts() {
        JsonNode config = Repo.yaml("stacks/telemetry/prometheus.yml");
        Map<String, String> targets = new TreeMap<>();
        for (JsonNode job : config.path("scrape_configs")) {
            String name = job.path("job_name").asText();
            for (JsonNode sd : job.path("dns_sd_configs")) {
                assertThat(name + " discovers its own service", Compose.strings(sd.path("names")), contains(name));
                assertThat(sd.path("type").asText(), is("A"));
                targets.put(name, name + ":" + sd.path("port").asText());
            }
            for (JsonNode st : job.path("static_configs")) {
                Compose.strings(st.path("targets")).forEach(t -> targets.put(name, t));
            }
        }
        Compose stack = Compose.of("compose.yml", "compose.telemetry.yml");
        Map<String, String> expected = new TreeMap<>();
        for (String service : ComposeFilesTest.APP_SERVICES) {
            expected.put(service, service + ":" + stack.service(service).path("build").path("args").path("PORT").asText());
        }
        expected.put("kong", "kong:" + stack.environment("kong").get("KONG_STATUS_LISTEN").split(":")[1]);
        expected.put("otel-collector", "otel-collector:8888");
        expected.put("prometheus", "localhost:9090");
        assertThat(targets, equalTo(expected));
        for (String job : targets.keySet()) {
            assertThat(job + " is a service of the telemetry stack", stack.services().keySet(), hasItem(job));
        }
        Set<String> kitServices = new TreeSet<>(SourceScan.services().keySet());
        kitServices.removeAll(targets.keySet());
        assertThat("service modules Prometheus does not scrape", kitServices, is(empty()));
        JsonNode collector = Repo.yaml("stacks/telemetry/otel-collector.yaml");
        assertThat("the collector serves its metrics where Prometheus scrapes them",
                   collector.path("service").path("telemetry").path("metrics").path("address").asText(), is("0.0.0.0:8888"));
    }

    @Test
    void tracesFlowFromServicesAndKongThroughTheCollectorToJaeger() {
        Compose stack = Compose.of("compose.yml", "compose.telemetry.yml");
        for (String service : ComposeFilesTest.APP_SERVICES) {
            assertThat(service, stack.environment(service).get("OTEL_EXPORTER_OTLP_ENDPOINT"), is("http://otel-collector:4318"));
        }
        assertThat("without telemetry nothing exports", Compose.of("compose.yml").environment("svc-auth")
                .get("OTEL_EXPORTER_OTLP_ENDPOINT"), is(""));
        assertThat(stack.environment("edge-sync").get("OTEL_TRACES_ENDPOINT"), is("http://otel-collector:4318/v1/traces"));
        assertThat(Compose.withDefaults(stack.environment("edge-sync").get("EDGE_TRACE_SAMPLING_RATE")), is("1.0"));
        assertThat(Compose.of("compose.yml").environment("edge-sync").get("EDGE_TRACE_SAMPLING_RATE"), is("0"));
        assertThat(stack.environment("kong").get("KONG_TRACING_INSTRUMENTATIONS"), is("all"));

        JsonNode collector = Repo.yaml("stacks/telemetry/otel-collector.yaml");
        JsonNode protocols = collector.path("receivers").path("otlp").path("protocols");
        assertThat(protocols.path("http").path("endpoint").asText(), is("0.0.0.0:4318"));
        assertThat(protocols.path("grpc").path("endpoint").asText(), is("0.0.0.0:4317"));
        JsonNode pipeline = collector.path("service").path("pipelines").path("traces");
        for (String section : List.of("receivers", "processors", "exporters")) {
            for (String name : Compose.strings(pipeline.path(section))) {
                assertThat(section + " " + name + " is defined", collector.path(section).has(name), is(true));
            }
        }
        String jaeger = collector.path("exporters").path("otlp/jaeger").path("endpoint").asText();
        assertThat(jaeger, is("jaeger:4317"));
        assertThat(stack.environment("jaeger").get("COLLECTOR_OTLP_ENABLED"), is("true"));
        assertThat(Compose.strings(stack.service("otel-collector").path("volumes")),
                   hasItem("./telemetry/otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro"));
    }

    @Test
    void grafanaProvisionsTheDataSourcesAndDashboardsItIsGiven() {
        JsonNode ds = Repo.yaml("stacks/telemetry/grafana/provisioning/datasources/datasources.yaml");
        Map<String, String> sources = new TreeMap<>();
        ds.path("datasources").forEach(d -> sources.put(d.path("uid").asText(), d.path("url").asText()));
        assertThat(sources, equalTo(Map.of("prometheus", "http://prometheus:9090", "jaeger", "http://jaeger:16686")));
        JsonNode providers = Repo.yaml("stacks/telemetry/grafana/provisioning/dashboards/dashboards.yaml");
        String path = providers.path("providers").get(0).path("options").path("path").asText();
        Compose stack = Compose.of("compose.yml", "compose.telemetry.yml");
        assertThat(Compose.strings(stack.service("grafana").path("volumes")),
                   hasItem("./telemetry/grafana/dashboards:" + path + ":ro"));
        assertThat(Compose.strings(stack.service("grafana").path("volumes")),
                   hasItem("./telemetry/grafana/provisioning:/etc/grafana/provisioning:ro"));
        assertThat(stack.environment("grafana").get("GF_SECURITY_ADMIN_PASSWORD__FILE"),
                   is("/run/secrets/grafana_admin_password"));
    }

    @Test
    void dashboardsAreValidJsonAndQueryMetricsThatExist() {
        Set<String> known = SourceScan.knownMetrics();
        assertThat("the scan found svc-kit's route histogram", known, hasItem("http_server_requests_seconds_bucket"));
        assertThat("the scan found svc-chat's token counter", known, hasItem("chat_upstream_tokens_total"));
        assertThat("the scan found Kong's request counter", known, hasItem("kong_http_requests_total"));
        List<Path> dashboards = Repo.list(Repo.STACKS.resolve("telemetry/grafana/dashboards"), "*.json");
        assertThat(dashboards, hasSize(5));
        Set<String> uids = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (Path file : dashboards) {
            JsonNode d = Repo.json(file);
            assertThat(file + " uid is unique", uids.add(d.path("uid").asText()), is(true));
            assertThat(file + " has a title", d.path("title").asText(), not(""));
            List<String> queries = new ArrayList<>();
            for (JsonNode panel : d.path("panels")) {
                if (panel.has("targets")) {
                    assertThat(file + " " + panel.path("title").asText(), panel.path("datasource").path("uid").asText(),
                               is("prometheus"));
                    panel.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
                    assertThat(file + " panel without a query", panel.path("targets").size(), not(0));
                }
            }
            for (JsonNode v : d.path("templating").path("list")) {
                if ("query".equals(v.path("type").asText())) {
                    Matcher m = Pattern.compile("label_values\\(([^,)]+)").matcher(v.path("definition").asText());
                    assertThat(file + " variable " + v.path("name").asText(), m.find(), is(true));
                    queries.add(m.group(1));
                }
            }
            assertThat(file + " has queries", queries, not(empty()));
            for (String q : queries) {
                for (String metric : metricNames(q)) {
                    used.add(metric);
                    if (!known.contains(metric)) {
                        unknown.add(file.getFileName() + ": " + metric + " in " + q);
                    }
                }
            }
        }
        assertThat("metric names that nothing exports", unknown, is(empty()));
        assertThat("the boards cover services, edge, LLM, hub and vectors", used,
                   org.hamcrest.Matchers.hasItems("http_server_requests_seconds_bucket", "kong_http_requests_total",
                                                  "chat_upstream_tokens_total", "memory_usedHeap_bytes", "up"));
    }

    @Test
    void metricNameExtractionSkipsFunctionsLabelsAndVariables() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (service, le) (rate(http_server_requests_seconds_bucket"
                                       + "{service=\"$service\", route=~\".*/(search|query).*\"}[$__rate_interval])))"),
                   equalTo(Set.of("http_server_requests_seconds_bucket")));
        assertThat(metricNames("sum(increase(a_total{type=\"prompt\"}[$__range])) / 1e6 * $price + up"),
                   equalTo(Set.of("a_total", "up")));
    }

    static Set<String> metricNames(String promql) {
        String q = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\w+", " ")
                .replaceAll("\\b\\d+(\\.\\d+)?(e\\d+)?\\b", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(q);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }
}
