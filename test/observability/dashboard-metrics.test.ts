import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CometMetrics } from "@chatroom/comet";
import { createMetricsRegistry, registerDependencyGauge } from "@chatroom/core/observability";
import { JobMetrics } from "@chatroom/job";
import { LogicMetrics } from "@chatroom/logic";
import { Histogram, type Registry } from "prom-client";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, "utf8");

/** Labels Prometheus adds when scraping (target labels), not the services. */
/** How every panel names its data source: Grafana's variable reference (a plain string, not a JS template). */
const DATASOURCE_REF = ["$", "{datasource}"].join("");

const TARGET_LABELS = new Set(["namespace", "job", "pod", "instance", "service", "container", "le"]);

interface Known {
  /** Every series name a scrape can show, histogram series included. */
  series: Map<string, string[]>;
  /** The metric families (chatroom_* only), as registered. */
  families: string[];
}

/** What each service's registry (as in its main) can show. */
function knownMetrics(): Known {
  const registries: Registry[] = [createMetricsRegistry(), createMetricsRegistry(), createMetricsRegistry()];
  new CometMetrics(registries[0]!);
  registerDependencyGauge(registries[0]!, []);
  new LogicMetrics(registries[1]!);
  new JobMetrics(registries[2]!);
  const series = new Map<string, string[]>();
  const families: string[] = [];
  for (const registry of registries) {
    for (const metric of registry.getMetricsAsArray()) {
      const labels = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
      const names =
        metric instanceof Histogram
          ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
          : [metric.name];
      for (const name of names) series.set(name, labels);
      if (metric.name.startsWith("chatroom_")) families.push(metric.name);
    }
  }
  return { series, families };
}

interface DashboardPanel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
}

interface Dashboard {
  uid: string;
  panels: DashboardPanel[];
  templating: { list: Array<{ name: string; type: string; query: unknown; definition?: string }> };
}

interface RuleGroup {
  name: string;
  rules: Array<{ alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: object }>;
}

const dashboard = JSON.parse(read("charts/chatroom/files/grafana-dashboard.json")) as Dashboard;
const groups = parse(read("charts/chatroom/files/prometheus-rules.yaml")) as RuleGroup[];

function dashboardExpressions(): string[] {
  const fromPanels = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  const fromVariables = dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : []));
  return [...fromPanels, ...fromVariables];
}

function ruleExpressions(): string[] {
  return groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

/** Every metric an expression names, and the label names of its `{…}` selector when it has one. */
function references(expr: string): Array<{ name: string; labels: string[] }> {
  const out: Array<{ name: string; labels: string[] }> = [];
  for (const match of expr.matchAll(/\b((?:chatroom|process|nodejs)_[a-z0-9_]+)(\{([^}]*)\})?/g)) {
    const labels = [...(match[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!);
    out.push({ name: match[1]!, labels });
  }
  return out;
}

function assertAllExist(expressions: string[], where: string): void {
  const { series } = knownMetrics();
  let count = 0;
  for (const expr of expressions) {
    for (const { name, labels } of references(expr)) {
      count++;
      const known = series.get(name);
      assert.ok(known, `${where} names ${name}, which no service registers (in: ${expr})`);
      for (const label of labels) {
        assert.ok(
          known.includes(label) || TARGET_LABELS.has(label),
          `${where} selects ${name} by label ${label}, which it does not have (in: ${expr})`,
        );
      }
    }
  }
  assert.ok(count > 10, `${where} references metrics`);
}

describe("the Grafana dashboard", () => {
  it("names only metrics and labels that the services register", () => {
    assertAllExist(dashboardExpressions(), "the dashboard");
  });

  it("has the uid chatroom-overview, a datasource variable every query uses, and the overview row first", () => {
    assert.equal(dashboard.uid, "chatroom-overview");
    const variable = dashboard.templating.list.find((v) => v.type === "datasource");
    assert.equal(variable?.name, "datasource");
    assert.equal(variable?.query, "prometheus");
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) {
      assert.equal(panel.datasource?.uid, DATASOURCE_REF, panel.title);
      for (const target of panel.targets ?? []) assert.equal(target.datasource?.uid, DATASOURCE_REF, panel.title);
    }
    const rows = dashboard.panels.filter((p) => p.type === "row").map((p) => p.title);
    assert.deepEqual(rows, ["Overview", "Comet", "Logic", "Job"]);
    const overview = dashboard.panels.slice(
      1,
      dashboard.panels.findIndex((p, i) => i > 0 && p.type === "row"),
    );
    const overviewText = JSON.stringify(overview);
    for (const metric of [
      "chatroom_comet_connections",
      "chatroom_logic_sends_accepted_total",
      "chatroom_comet_deliveries_total",
      "chatroom_comet_delivery_latency_seconds_bucket",
      "chatroom_job_consumer_lag",
      "chatroom_logic_http_request_duration_seconds_count",
    ]) {
      assert.ok(overviewText.includes(metric), `the overview shows ${metric}`);
    }
    assert.match(overviewText, /histogram_quantile\(0\.5,/);
    assert.match(overviewText, /histogram_quantile\(0\.99,/);
  });
});

describe("the alert rules", () => {
  it("name only metrics and labels that the services register", () => {
    assertAllExist(ruleExpressions(), "the alert rules");
  });

  it("cover lag, errors, no comet, p99 over 50 ms and slow consumers, each with a severity and a summary", () => {
    const rules = groups.flatMap((group) => group.rules);
    const alerts = rules.map((rule) => rule.alert);
    for (const expected of [
      "ChatroomKafkaLagGrowing",
      "ChatroomHttpErrorRate",
      "ChatroomNoCometRegistered",
      "ChatroomDeliveryLatencyHigh",
      "ChatroomSlowConsumerDrops",
    ]) {
      assert.ok(alerts.includes(expected), `alert ${expected}`);
    }
    assert.equal(new Set(alerts).size, alerts.length, "alert names are unique");
    for (const rule of rules) {
      assert.match(rule.labels.severity ?? "", /^(warning|critical)$/, rule.alert);
      assert.ok("summary" in rule.annotations, rule.alert);
      assert.doesNotMatch(rule.expr, /\{\{/, `${rule.alert}: no template braces in expressions`);
    }
    const latency = rules.find((rule) => rule.alert === "ChatroomDeliveryLatencyHigh");
    assert.match(latency?.expr ?? "", /> 0\.05/, "the 50 ms target");
  });
});

describe("docs/observability.md", () => {
  it("lists every chatroom metric the services register", () => {
    const doc = read("docs/observability.md");
    for (const family of knownMetrics().families)
      assert.ok(doc.includes(`\`${family}\``), `${family} in the catalogue`);
  });
});
