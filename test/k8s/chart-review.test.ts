// What a platform engineer's review of the chart asked for, read from `helm template` output: comets are not rolled
// by a chart bump, their advertised names survive a drain, Ingress presets and a Gateway API route, the push API off
// the public host, a pinned and observed Strimzi Kafka, a kept development Secret, a helm test, Kafka-valid configs.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { chartDir, findManifest, helmTemplate, helmTemplateText, type Manifest } from "./support/helm.ts";
import { componentWorkload, podTemplate, workloads } from "./support/pods.ts";

const DEFAULTS = { name: "default values", files: [] };
const set = (values: Record<string, string>) => ({ name: JSON.stringify(values), files: [], set: values });

function comet(manifests: Manifest[]) {
  const workload = componentWorkload(manifests, "comet");
  assert.ok(workload);
  return podTemplate(workload);
}

describe("the chart after the platform review", () => {
  it("renders the same comet pod template for a new chart version: a chart bump restarts no WebSocket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chatroom-chart-"));
    try {
      cpSync(chartDir, join(dir, "chatroom"), { recursive: true });
      const chartFile = join(dir, "chatroom/Chart.yaml");
      writeFileSync(chartFile, readFileSync(chartFile, "utf8").replace(/^version: .*$/m, "version: 9.9.9"));
      const bumped = await helmTemplate(DEFAULTS, undefined, join(dir, "chatroom"));
      assert.deepEqual(comet(bumped), comet(await helmTemplate(DEFAULTS)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const workload of workloads(await helmTemplate(DEFAULTS))) {
      const labels = podTemplate(workload).metadata.labels;
      assert.equal(labels["helm.sh/chart"], undefined, workload.metadata.name);
      assert.equal(labels["app.kubernetes.io/version"], undefined, workload.metadata.name);
    }
  });

  it("publishes a draining comet's address on the headless Service, so its advertised name keeps resolving", async () => {
    const service = findManifest(await helmTemplate(DEFAULTS), "Service", "chatroom-comet-headless");
    assert.equal((service.spec as { publishNotReadyAddresses: boolean }).publishNotReadyAddresses, true);
  });

  it("sets each Ingress controller's WebSocket timeouts, and leaves /goim off the public host unless asked", async () => {
    const ingress = async (values: Record<string, string>) =>
      findManifest(await helmTemplate(set({ "ingress.enabled": "true", ...values })), "Ingress", "chatroom");
    const annotations = async (controller: string) =>
      (await ingress({ "ingress.controller": controller })).metadata.annotations;
    assert.equal((await annotations("nginx"))?.["nginx.ingress.kubernetes.io/proxy-read-timeout"], "3600");
    assert.deepEqual(await annotations("haproxy"), { "haproxy.org/timeout-tunnel": "3600s" });
    assert.deepEqual(await annotations("alb"), {
      "alb.ingress.kubernetes.io/load-balancer-attributes": "idle_timeout.timeout_seconds=3600",
    });
    assert.equal(await annotations("none"), undefined);
    const paths = (manifest: Manifest) =>
      (manifest.spec as { rules: Array<{ http: { paths: Array<{ path: string }> } }> }).rules[0]?.http.paths.map(
        (p) => p.path,
      );
    assert.deepEqual(paths(await ingress({})), ["/api", "/ws", "/"]);
    assert.deepEqual(paths(await ingress({ "goim.exposePublicly": "true" })), ["/api", "/goim", "/ws", "/"]);
    const web = findManifest(await helmTemplate(DEFAULTS), "ConfigMap", "chatroom-web").data as Record<string, string>;
    assert.match(web["default.conf"] ?? "", /location ~ \^\/\(api\)\//, "the web client's proxy keeps /goim out too");
  });

  it("routes through a Gateway with an HTTPRoute to the same Services and ports as the Ingress", async () => {
    const manifests = await helmTemplate(
      set({
        "gateway.enabled": "true",
        "gateway.parentRefs[0].name": "public",
        "gateway.hostnames[0]": "chat.example",
      }),
    );
    const route = findManifest(manifests, "HTTPRoute", "chatroom");
    assert.equal(route.apiVersion, "gateway.networking.k8s.io/v1");
    const spec = route.spec as {
      parentRefs: unknown[];
      hostnames: string[];
      rules: Array<{ matches: Array<{ path: { value: string } }>; backendRefs: Array<{ name: string; port: number }> }>;
    };
    assert.deepEqual(spec.parentRefs, [{ name: "public" }]);
    assert.deepEqual(spec.hostnames, ["chat.example"]);
    const routes = spec.rules.map((r) => [r.matches.map((m) => m.path.value).join(","), r.backendRefs[0]]);
    assert.deepEqual(routes, [
      ["/api", { name: "chatroom-logic", port: 80 }],
      ["/ws", { name: "chatroom-comet", port: 80 }],
      ["/", { name: "chatroom-web", port: 80 }],
    ]);
    for (const [, backend] of routes) {
      const service = findManifest(manifests, "Service", (backend as { name: string }).name);
      assert.ok((service.spec as { ports: Array<{ port: number }> }).ports.some((p) => p.port === 80));
    }
    await assert.rejects(helmTemplate(set({ "gateway.enabled": "true" })), /gateway.parentRefs is required/);
  });

  it("pins the Kafka version and exports broker metrics and job's consumer lag, with release-prefixed pools", async () => {
    const manifests = await helmTemplate(set({ "metrics.serviceMonitor.enabled": "true" }));
    const kafka = findManifest(manifests, "Kafka", "chatroom").spec as {
      kafka: { version: string; metricsConfig: { type: string } };
      kafkaExporter: { topicRegex: string; groupRegex: string };
    };
    assert.equal(kafka.kafka.version, "4.3.0");
    assert.equal(kafka.kafka.metricsConfig.type, "strimziMetricsReporter");
    assert.deepEqual(kafka.kafkaExporter, { topicRegex: "^chatroom-push$", groupRegex: "^chatroom-job$" });
    assert.deepEqual(
      manifests.filter((m) => m.kind === "KafkaNodePool").map((m) => m.metadata.name),
      ["chatroom-dual"],
    );
    const monitor = findManifest(manifests, "PodMonitor", "chatroom-kafka").spec as {
      selector: { matchLabels: Record<string, string> };
      podMetricsEndpoints: Array<{ port: string }>;
    };
    assert.deepEqual(monitor.selector.matchLabels, { "strimzi.io/cluster": "chatroom" });
    assert.equal(monitor.podMetricsEndpoints[0]?.port, "tcp-prometheus");
    await assert.rejects(helmTemplate(set({ "kafka.strimzi.version": "" })), /values don't meet the specifications/);
  });

  it("authenticates logic and job on the Strimzi listener as KafkaUsers allowed only what each does", async () => {
    const manifests = await helmTemplate(DEFAULTS);
    const kafka = findManifest(manifests, "Kafka", "chatroom").spec as {
      kafka: { listeners: Array<{ authentication?: { type: string } }>; authorization?: { type: string } };
      entityOperator: { userOperator?: unknown };
    };
    assert.deepEqual(kafka.kafka.listeners[0]?.authentication, { type: "scram-sha-512" });
    assert.deepEqual(kafka.kafka.authorization, { type: "simple" });
    assert.ok(kafka.entityOperator.userOperator, "the user operator manages the KafkaUsers");
    const acls = (name: string) =>
      (
        findManifest(manifests, "KafkaUser", name).spec as {
          authorization: { acls: Array<{ resource: { type: string; name?: string }; operations: string[] }> };
        }
      ).authorization.acls.map((a) => `${a.resource.type}:${a.resource.name ?? ""}:${a.operations.join(",")}`);
    assert.deepEqual(acls("chatroom-logic"), [
      "topic:chatroom-push:Describe,Create,Alter,Write",
      "cluster::IdempotentWrite",
    ]);
    assert.deepEqual(acls("chatroom-job"), [
      "topic:chatroom-push:Describe,Create,Alter,Read",
      "group:chatroom-job:Describe,Read",
    ]);
    for (const component of ["logic", "job"]) {
      const config = findManifest(manifests, "ConfigMap", `chatroom-${component}`).data as Record<string, string>;
      assert.equal(config.CHATROOM_KAFKA_SASL_MECHANISM, "scram-sha-512");
      assert.equal(config.CHATROOM_KAFKA_USERNAME, `chatroom-${component}`);
      const workload = componentWorkload(manifests, component);
      assert.ok(workload);
      const password = podTemplate(workload).spec.containers[0]?.env?.find((e) => e.name === "CHATROOM_KAFKA_PASSWORD");
      assert.deepEqual(password?.valueFrom?.secretKeyRef, { name: `chatroom-${component}`, key: "password" });
    }
    const open = await helmTemplate(set({ "kafka.strimzi.authentication": "none" }));
    assert.equal(open.filter((m) => m.kind === "KafkaUser").length, 0);
    const external = await helmTemplate(
      set({
        "kafka.strimzi.enabled": "false",
        "kafka.bootstrapServers": "kafka:9092",
        "kafka.sasl.mechanism": "scram-sha-256",
        "kafka.sasl.username": "chat",
        "kafka.sasl.existingSecret": "kafka-credentials",
      }),
    );
    const logic = findManifest(external, "ConfigMap", "chatroom-logic").data as Record<string, string>;
    assert.equal(logic.CHATROOM_KAFKA_USERNAME, "chat");
  });

  it("renders the topic's retention as an integer Kafka accepts, never in float notation", async () => {
    const text = await helmTemplateText(DEFAULTS);
    assert.match(text, /^ {4}retention\.ms: 86400000$/m);
    assert.doesNotMatch(text, /retention\.ms: [0-9.]+e\+/);
  });

  it("keeps the generated development Secret when the release is uninstalled", async () => {
    const secret = findManifest(await helmTemplate(set({ "secrets.generate.enabled": "true" })), "Secret", "chatroom");
    assert.equal(secret.metadata.annotations?.["helm.sh/resource-policy"], "keep");
  });

  it("ships a helm test that checks the HTTP API, the push API with the release's key and a comet's WebSocket", async () => {
    const manifests = await helmTemplate(DEFAULTS);
    const pod = findManifest(manifests, "Pod", "chatroom-test");
    assert.equal(pod.metadata.annotations?.["helm.sh/hook"], "test");
    const spec = pod.spec as {
      restartPolicy: string;
      automountServiceAccountToken: boolean;
      containers: Array<{ image: string; args: string[]; env: Array<{ name: string; value?: string }> }>;
    };
    assert.equal(spec.restartPolicy, "Never");
    assert.equal(spec.automountServiceAccountToken, false);
    const container = spec.containers[0];
    assert.equal(container?.image, "chatroom:0.1.0");
    const env = Object.fromEntries(container?.env.map((e) => [e.name, e.value]) ?? []);
    assert.equal(env.API_URL, "http://chatroom-logic.chatroom.svc:80");
    assert.equal(env.WS_URL, "ws://chatroom-comet.chatroom.svc:80/ws");
    assert.match(container?.args.at(-1) ?? "", /goim\/online\/total/);
  });

  it("is packaged with a README that documents every top-level value, and a .helmignore", async () => {
    assert.ok(existsSync(join(chartDir, ".helmignore")));
    const readme = readFileSync(join(chartDir, "README.md"), "utf8");
    const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8")) as Record<string, unknown>;
    for (const key of Object.keys(values)) assert.match(readme, new RegExp(`\`${key}[.\`]`), `README: ${key}`);
  });
});
