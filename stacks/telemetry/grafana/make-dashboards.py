#!/usr/bin/env python3
# Writes the Grafana dashboards in dashboards/ (run after editing; the JSON files are what Grafana loads and what
# stacks-checks verifies: valid JSON, metric names that the services really export).
import json, os
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'dashboards')
DS = {"type": "prometheus", "uid": "prometheus"}

class D:
    def __init__(self, uid, title, description, tags, variables=()):
        self.uid, self.title, self.description, self.tags = uid, title, description, tags
        self.panels, self.x, self.y, self.row_h, self.id = [], 0, 0, 0, 1
        self.variables = list(variables)

    def _pos(self, w, h):
        if self.x + w > 24:
            self.x, self.y = 0, self.y + self.row_h
            self.row_h = 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def row(self, title):
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        self.panels.append({"id": self.id, "type": "row", "title": title, "collapsed": False,
                            "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1}, "panels": []})
        self.id += 1
        self.y += 1

    def panel(self, kind, title, targets, unit="short", w=12, h=8, description="", extra=None):
        p = {"id": self.id, "type": kind, "title": title, "datasource": DS, "gridPos": self._pos(w, h),
             "description": description,
             "targets": [{"refId": chr(65 + i), "datasource": DS, "expr": e, "legendFormat": l,
                          "range": True} for i, (e, l) in enumerate(targets)],
             "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
             "options": {}}
        if kind == "timeseries":
            p["options"] = {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max"]},
                            "tooltip": {"mode": "multi"}}
        if kind == "stat":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "colorMode": "value", "graphMode": "area"}
        if extra:
            p.update(extra)
        self.panels.append(p)
        self.id += 1

    def text(self, title, content, w=24, h=4):
        self.panels.append({"id": self.id, "type": "text", "title": title, "gridPos": self._pos(w, h),
                            "options": {"mode": "markdown", "content": content}})
        self.id += 1

    def write(self):
        d = {"uid": self.uid, "title": self.title, "description": self.description, "tags": self.tags,
             "schemaVersion": 39, "version": 1, "editable": False, "graphTooltip": 1, "refresh": "30s",
             "time": {"from": "now-1h", "to": "now"}, "timezone": "browser",
             "templating": {"list": self.variables}, "annotations": {"list": []}, "links": [
                 {"title": "Universal AI Tools", "type": "dashboards", "tags": ["universal-ai-tools"], "asDropdown": True}],
             "panels": self.panels}
        with open(os.path.join(OUT, self.uid + '.json'), 'w') as f:
            json.dump(d, f, indent=2)
            f.write('\n')

def query_var(name, label, query, multi=False, include_all=False, regex=""):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "definition": query, "refresh": 2, "multi": multi, "includeAll": include_all, "sort": 1,
            "regex": regex, "current": {}}

def text_var(name, label, value):
    return {"name": name, "label": label, "type": "textbox", "query": value,
            "current": {"text": value, "value": value}, "hide": 0}

RATE = "$__rate_interval"
SVC = 'job=~"svc-.*"'

# 1. Platform overview
d = D("uat-platform-overview", "Platform overview",
      "Every service and the edge at a glance: up, throughput, errors, latency, JVM memory.",
      ["universal-ai-tools", "overview"])
d.row("Health")
d.panel("stat", "Service instances up", [(f'sum by (job) (up{{{SVC}}})', "{{job}}")], w=12, h=5,
        description="Scraped /metrics targets per service (one per container); 0 = the service is down or not scraped.")
d.panel("stat", "Edge requests / s", [(f"sum(rate(kong_http_requests_total[{RATE}]))", "req/s")], "reqps", w=4, h=5)
d.panel("stat", "Edge 5xx ratio", [(f'sum(rate(kong_http_requests_total{{code=~"5.."}}[{RATE}])) / '
                                    f"sum(rate(kong_http_requests_total[{RATE}]))", "5xx")], "percentunit", w=4, h=5)
d.panel("stat", "Edge p95 latency", [(f"histogram_quantile(0.95, sum by (le) (rate(kong_request_latency_ms_bucket[{RATE}])))",
                                      "p95")], "ms", w=4, h=5)
d.row("Services")
d.panel("timeseries", "Requests / s by service",
        [(f"sum by (service) (rate(http_server_requests_seconds_count[{RATE}]))", "{{service}}")], "reqps")
d.panel("timeseries", "5xx ratio by service",
        [(f'sum by (service) (rate(http_server_requests_seconds_count{{status=~"5.."}}[{RATE}])) / '
          f"sum by (service) (rate(http_server_requests_seconds_count[{RATE}]))", "{{service}}")], "percentunit")
d.panel("timeseries", "p95 latency by service",
        [(f"histogram_quantile(0.95, sum by (service, le) (rate(http_server_requests_seconds_bucket[{RATE}])))",
          "{{service}}")], "s")
d.panel("timeseries", "4xx / s by service",
        [(f'sum by (service) (rate(http_server_requests_seconds_count{{status=~"4.."}}[{RATE}]))', "{{service}}")],
        "reqps", description="Client errors: bad input, missing or expired credentials, rate limits.")
d.row("Edge (Kong)")
d.panel("timeseries", "Edge requests / s by route and status",
        [(f"sum by (route, code) (rate(kong_http_requests_total[{RATE}]))", "{{route}} {{code}}")], "reqps")
d.panel("timeseries", "Latency Kong adds vs upstream (p95)",
        [(f"histogram_quantile(0.95, sum by (le) (rate(kong_kong_latency_ms_bucket[{RATE}])))", "kong"),
         (f"histogram_quantile(0.95, sum by (le) (rate(kong_upstream_latency_ms_bucket[{RATE}])))", "upstream")], "ms")
d.row("JVM")
d.panel("timeseries", "Heap used by instance", [(f"memory_usedHeap_bytes{{{SVC}}}", "{{instance}} {{job}}")], "bytes")
d.panel("timeseries", "GC time / s by instance",
        [(f"rate(gc_time_seconds_total{{{SVC}}}[{RATE}])", "{{instance}} {{job}} {{name}}")], "s")
d.write()

# 2. Per-service detail
d = D("uat-service", "Service detail",
      "One service: throughput, errors and latency per route, JVM. Pick the service above.",
      ["universal-ai-tools", "service"],
      [query_var("service", "service", "label_values(http_server_requests_seconds_count, service)"),
       query_var("route", "route", 'label_values(http_server_requests_seconds_count{service="$service"}, route)',
                 multi=True, include_all=True)])
S = 'service="$service", route=~"$route"'
d.row("Throughput and errors")
d.panel("timeseries", "Requests / s by route",
        [(f"sum by (method, route) (rate(http_server_requests_seconds_count{{{S}}}[{RATE}]))", "{{method}} {{route}}")],
        "reqps")
d.panel("timeseries", "Responses / s by status",
        [(f"sum by (status) (rate(http_server_requests_seconds_count{{{S}}}[{RATE}]))", "{{status}}")], "reqps")
d.panel("timeseries", "5xx / s by route",
        [(f'sum by (method, route) (rate(http_server_requests_seconds_count{{{S}, status=~"5.."}}[{RATE}]))',
          "{{method}} {{route}}")], "reqps")
d.panel("timeseries", "4xx / s by route and status",
        [(f'sum by (route, status) (rate(http_server_requests_seconds_count{{{S}, status=~"4.."}}[{RATE}]))',
          "{{route}} {{status}}")], "reqps")
d.row("Latency")
for q in ("0.5", "0.95", "0.99"):
    d.panel("timeseries", f"p{q[2:] if q != '0.5' else '50'} latency by route",
            [(f"histogram_quantile({q}, sum by (route, le) (rate(http_server_requests_seconds_bucket{{{S}}}[{RATE}])))",
              "{{route}}")], "s", w=8)
d.panel("timeseries", "Slowest request seen (max)",
        [(f"max by (route) (http_server_requests_seconds_max{{{S}}})", "{{route}}")], "s", w=24, h=6)
d.row("JVM")
d.panel("timeseries", "Heap used / committed",
        [('sum by (instance) (memory_usedHeap_bytes{job="$service"})', "used {{instance}}"),
         ('sum by (instance) (memory_committedHeap_bytes{job="$service"})', "committed {{instance}}"),
         ('sum by (instance) (memory_maxHeap_bytes{job="$service"})', "max {{instance}}")], "bytes", w=8)
d.panel("timeseries", "Platform threads", [('thread_count{job="$service"}', "{{instance}}")], "short", w=8,
        description="Request handlers run on virtual threads, which this does not count.")
d.panel("timeseries", "GC time / s", [(f'rate(gc_time_seconds_total{{job="$service"}}[{RATE}])', "{{instance}} {{name}}")],
        "s", w=8)
d.write()

# 3. LLM gateway
d = D("uat-llm-gateway", "LLM gateway (svc-chat)",
      "Upstream LLM deployments behind svc-chat: requests, errors, tokens, estimated cost, latency, circuit state.",
      ["universal-ai-tools", "llm"],
      [query_var("deployment", "deployment", "label_values(chat_upstream_requests_total, deployment)", multi=True,
                 include_all=True),
       text_var("prompt_usd_per_mtok", "prompt USD / 1M tokens", "0.15"),
       text_var("completion_usd_per_mtok", "completion USD / 1M tokens", "0.60")])
DEP = 'deployment=~"$deployment"'
d.row("Traffic")
d.panel("stat", "Tokens in range", [(f'sum(increase(chat_upstream_tokens_total{{{DEP}}}[$__range]))', "tokens")],
        "short", w=6, h=5)
d.panel("stat", "Estimated cost in range",
        [(f'sum(increase(chat_upstream_tokens_total{{{DEP}, type="prompt"}}[$__range])) / 1e6 * $prompt_usd_per_mtok'
          f' + sum(increase(chat_upstream_tokens_total{{{DEP}, type="completion"}}[$__range])) / 1e6 * $completion_usd_per_mtok',
          "USD")], "currencyUSD", w=6, h=5,
        description="An estimate: tokens × the two prices set above (one price for every selected deployment). "
                    "svc-chat counts tokens per deployment; it exports no prices.")
d.panel("stat", "Upstream error ratio",
        [(f'sum(rate(chat_upstream_errors_total{{{DEP}}}[{RATE}])) / sum(rate(chat_upstream_requests_total{{{DEP}}}[{RATE}]))',
          "errors")], "percentunit", w=6, h=5)
d.panel("stat", "In flight", [(f'sum(chat_upstream_in_flight{{{DEP}}})', "in flight")], "short", w=6, h=5)
d.panel("timeseries", "Upstream requests / s by deployment",
        [(f'sum by (deployment) (rate(chat_upstream_requests_total{{{DEP}}}[{RATE}]))', "{{deployment}}")], "reqps")
d.panel("timeseries", "Upstream errors / s by deployment",
        [(f'sum by (deployment) (rate(chat_upstream_errors_total{{{DEP}}}[{RATE}]))', "{{deployment}}")], "reqps")
d.row("Tokens and cost")
d.panel("timeseries", "Tokens / s by deployment and type",
        [(f'sum by (deployment, type) (rate(chat_upstream_tokens_total{{{DEP}}}[{RATE}]))', "{{deployment}} {{type}}")],
        "short")
d.panel("timeseries", "Estimated cost per hour",
        [(f'sum(rate(chat_upstream_tokens_total{{{DEP}, type="prompt"}}[{RATE}])) * 3600 / 1e6 * $prompt_usd_per_mtok'
          f' + sum(rate(chat_upstream_tokens_total{{{DEP}, type="completion"}}[{RATE}])) * 3600 / 1e6 * $completion_usd_per_mtok',
          "USD / h")], "currencyUSD")
d.row("Latency and health")
d.panel("timeseries", "Latency (EWMA) by deployment",
        [(f'chat_upstream_latency_ewma_ms{{{DEP}}}', "{{deployment}}")], "ms", w=8)
d.panel("timeseries", "Time to first token (EWMA)", [(f'chat_upstream_ttft_ewma_ms{{{DEP}}}', "{{deployment}}")], "ms", w=8)
d.panel("timeseries", "Mean upstream latency",
        [(f'sum by (deployment) (rate(chat_upstream_latency_seconds_total{{{DEP}}}[{RATE}])) / '
          f'sum by (deployment) (rate(chat_upstream_requests_total{{{DEP}}}[{RATE}]))', "{{deployment}}")], "s", w=8)
d.panel("timeseries", "Circuit state (0 closed, 1 half-open, 2 open)",
        [(f'chat_upstream_circuit_state{{{DEP}}}', "{{deployment}}")], "short",
        extra={"fieldConfig": {"defaults": {"unit": "short", "min": 0, "max": 2}, "overrides": []}})
d.panel("timeseries", "Cooldowns / s", [(f'sum by (deployment) (rate(chat_upstream_cooldowns_total{{{DEP}}}[{RATE}]))',
                                         "{{deployment}}")], "short")
d.panel("timeseries", "Chat completions through svc-chat: p95 latency and 5xx / s",
        [(f'histogram_quantile(0.95, sum by (le) (rate(http_server_requests_seconds_bucket{{service="svc-chat", '
          f'route=~"/v1/chat/completions.*"}}[{RATE}])))', "p95"),
         (f'sum(rate(http_server_requests_seconds_count{{service="svc-chat", route=~"/v1/chat/completions.*", '
          f'status=~"5.."}}[{RATE}]))', "5xx / s")], "s", w=24,
        description="Whole requests including streaming; long generations dominate the p95.")
d.write()

# 4. Hub
d = D("uat-hub", "Hub connections (svc-hub)",
      "WebSocket upgrades through the edge and svc-hub's HTTP API: publish, presence, history.",
      ["universal-ai-tools", "hub"])
d.text("About these numbers",
       "svc-hub exports no gauge of open WebSocket connections yet: this board shows connection attempts "
       "(WebSocket upgrades through Kong's `hub-ws` route, by status: 101 = connected, 401/429 = refused) and "
       "the hub's HTTP API. Per-node connection counts are in Redis (`uat:hub:p|conns|<node>`).", h=3)
d.panel("timeseries", "WebSocket upgrades / s by status (edge)",
        [(f'sum by (code) (rate(kong_http_requests_total{{route="hub-ws"}}[{RATE}]))', "{{code}}")], "reqps")
d.panel("timeseries", "Upgrades refused / s (4xx at the edge)",
        [(f'sum by (code) (rate(kong_http_requests_total{{route="hub-ws", code=~"4.."}}[{RATE}]))', "{{code}}")], "reqps")
d.panel("timeseries", "Hub HTTP requests / s by route",
        [(f'sum by (method, route) (rate(http_server_requests_seconds_count{{service="svc-hub"}}[{RATE}]))',
          "{{method}} {{route}}")], "reqps")
d.panel("timeseries", "Publish p95 latency (HTTP)",
        [(f'histogram_quantile(0.95, sum by (le) (rate(http_server_requests_seconds_bucket{{service="svc-hub", '
          f'route=~"/v1/hub/publish.*"}}[{RATE}])))', "p95")], "s")
d.panel("stat", "Hub nodes up", [('sum(up{job="svc-hub"})', "nodes")], "short", w=8, h=5)
d.panel("timeseries", "Hub heap used by node", [('memory_usedHeap_bytes{job="svc-hub"}', "{{instance}}")], "bytes", w=16, h=5)
d.write()

# 5. Vector search
d = D("uat-vector-search", "Vector search (svc-vector)",
      "Search latency and throughput on svc-vector, native and Qdrant-compatible API.",
      ["universal-ai-tools", "vector"])
SR = 'service="svc-vector", route=~".*/(search|query|recommend).*"'
d.panel("timeseries", "Search latency p50 / p95 / p99",
        [(f"histogram_quantile({q}, sum by (le) (rate(http_server_requests_seconds_bucket{{{SR}}}[{RATE}])))", f"p{n}")
         for q, n in (("0.5", "50"), ("0.95", "95"), ("0.99", "99"))], "s")
d.panel("timeseries", "Searches / s by route", [(f"sum by (route) (rate(http_server_requests_seconds_count{{{SR}}}[{RATE}]))",
                                                 "{{route}}")], "reqps")
d.panel("timeseries", "Search p95 by route",
        [(f"histogram_quantile(0.95, sum by (route, le) (rate(http_server_requests_seconds_bucket{{{SR}}}[{RATE}])))",
          "{{route}}")], "s")
d.panel("timeseries", "Search errors / s by status",
        [(f'sum by (status) (rate(http_server_requests_seconds_count{{{SR}, status!~"2.."}}[{RATE}]))', "{{status}}")],
        "reqps")
d.panel("timeseries", "Writes / s (upserts, deletes)",
        [(f'sum by (method, route) (rate(http_server_requests_seconds_count{{service="svc-vector", method=~"PUT|POST|DELETE", '
          f'route!~".*/(search|query|recommend).*"}}[{RATE}]))', "{{method}} {{route}}")], "reqps")
d.panel("timeseries", "Qdrant-compatible API / s by route",
        [(f'sum by (route) (rate(http_server_requests_seconds_count{{service="svc-vector", route=~"/v1/vectors/qdrant.*"}}[{RATE}]))',
          "{{route}}")], "reqps")
d.write()
